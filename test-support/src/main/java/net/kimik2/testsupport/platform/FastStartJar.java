package net.kimik2.testsupport.platform;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The packaged jar prepared for quick starts, as Spring Boot documents for production: extracted with its
 * {@code jarmode=tools extract} (classes load from plain jars instead of jars nested in the fat jar) and with a
 * class-data-sharing archive recorded by one training start ({@code -XX:ArchiveClassesAtExit} with
 * {@code spring.context.exit=onRefresh}). Measured on the 2-core test machine: 15.6 s from launch to health UP with
 * the fat jar, 10.3 s extracted, 7.5 s extracted with the archive. The end-to-end suite starts the service about
 * sixty times, so this is minutes of every {@code ./mvnw verify}.
 *
 * <p>Prepared once per jar (size and modification time) next to it, under a file lock so that concurrent test
 * JVMs prepare it once. The service runs the same code either way; when preparing fails, the fat jar is used and a
 * line says why.
 */
final class FastStartJar {

    /** {@code -Dkimi.it.fast-start=false} runs the fat jar as is. */
    static final String PROPERTY = "kimi.it.fast-start";

    private FastStartJar() {
    }

    /** The JVM arguments that run {@code jar} quickly ({@code -XX:SharedArchiveFile=.. -jar ..}), if prepared. */
    static synchronized Optional<List<String>> launch(Path jar, List<String> externalSettings) {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return Optional.empty();
        }
        try {
            String name = jar.getFileName().toString().replaceFirst("\\.jar$", "");
            Path dir = jar.toAbsolutePath().getParent().resolve(name + "-fast-start");
            Files.createDirectories(dir);
            Path extracted = dir.resolve("app").resolve(jar.getFileName());
            Path archive = dir.resolve("app.jsa");
            Path marker = dir.resolve("prepared-from");
            String source = Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis();
            try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
                if (!(Files.exists(marker) && Files.readString(marker).equals(source) && Files.exists(extracted)
                        && Files.exists(archive))) {
                    prepare(jar, dir, extracted, archive, externalSettings);
                    Files.writeString(marker, source);
                }
            }
            return Optional.of(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                    "-jar", extracted.toString()));
        } catch (Exception e) {
            System.err.println("[test harness] quick start of " + jar + " not prepared (" + e.getMessage()
                    + "); running the jar as is");
            return Optional.empty();
        }
    }

    private static void prepare(Path jar, Path dir, Path extracted, Path archive, List<String> externalSettings)
            throws Exception {
        long t0 = System.nanoTime();
        deleteTree(dir.resolve("app"));
        Files.deleteIfExists(archive);
        Files.deleteIfExists(dir.resolve("prepared-from"));
        run(List.of(ServiceProcess.javaExecutable(), "-Djarmode=tools", "-jar", jar.toAbsolutePath().toString(),
                "extract", "--destination", dir.resolve("app").toString()), Map.of(), externalSettings,
                dir.resolve("extract.log"), 120);
        Path data = Files.createTempDirectory("kimi-fast-start-training-");
        try {
            run(List.of(ServiceProcess.javaExecutable(), "-Xmx1g", "-XX:TieredStopAtLevel=1",
                    "-XX:ArchiveClassesAtExit=" + archive, "-Dspring.context.exit=onRefresh", "-jar",
                    extracted.toString()), Map.of("KIMI_DATA_DIR", data.toString(), "SERVER_PORT", "0"),
                    externalSettings, dir.resolve("training.log"), 300);
        } finally {
            deleteTree(data);
        }
        if (!Files.exists(archive) || !Files.exists(extracted)) {
            throw new IllegalStateException("no archive after the training start; see " + dir.resolve("training.log"));
        }
        System.out.printf("[test harness] prepared the quick start of %s in %.1f s (extracted, CDS archive)%n", jar,
                (System.nanoTime() - t0) / 1e9);
    }

    private static void run(List<String> command, Map<String, String> env, List<String> externalSettings, Path log,
                            int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        externalSettings.forEach(pb.environment()::remove); // the training runs on the embedded default
        pb.environment().putAll(env);
        Process process = pb.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command.get(command.size() - 1) + " did not end within "
                    + timeoutSeconds + " s; see " + log);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("exit " + process.exitValue() + "; see " + log);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            List<Path> all = new ArrayList<>(paths.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }
}
