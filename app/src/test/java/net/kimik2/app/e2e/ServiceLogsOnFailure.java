package net.kimik2.app.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A failed end-to-end test prints the tail of every service log it wrote and keeps a copy under
 * {@code target/service-logs}: the logs live in the test's temporary directory, which is deleted right after the
 * test, and a flaky failure is otherwise lost with them.
 */
final class ServiceLogsOnFailure implements BeforeTestExecutionCallback, AfterTestExecutionCallback {

    private static final int TAIL_LINES = 80;

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        ServiceProcess.logsOfThisTest();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) throws IOException {
        List<Path> logs = ServiceProcess.logsOfThisTest();
        if (context.getExecutionException().isEmpty()) {
            return;
        }
        Path keep = Path.of("target", "service-logs");
        Files.createDirectories(keep);
        String test = (context.getRequiredTestClass().getSimpleName() + "-" + context.getDisplayName())
                .replaceAll("[^A-Za-z0-9_.-]+", "_");
        for (Path log : logs) {
            if (!Files.exists(log)) {
                continue;
            }
            Path copy = keep.resolve(test + "-" + System.currentTimeMillis() + "-" + log.getFileName());
            Files.copy(log, copy, StandardCopyOption.REPLACE_EXISTING);
            List<String> lines = Files.readAllLines(log);
            System.err.println("--- last " + TAIL_LINES + " lines of " + log.getFileName() + " (kept in "
                    + copy.toAbsolutePath() + ") ---");
            lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()).forEach(System.err::println);
            System.err.println("--- end of " + log.getFileName() + " ---");
        }
    }
}
