package net.kimik2.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Facts about the machine and the build, recorded next to every figure so runs stay comparable. */
final class Machine {

    private Machine() {
    }

    /** Output (stdout and stderr) of a short local command; "n/a" when it cannot run. */
    static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "n/a\n";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "n/a\n";
        }
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    /** The "Mem:" line of {@code free -g}, condensed to total and available. */
    static String freeMemLine() {
        for (String line : run("free", "-g").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 7 && f[0].equals("Mem:")) {
                return f[1] + " GiB RAM (" + f[6] + " GiB available)";
            }
        }
        return "RAM unknown";
    }

    /** First line of {@code java -version} of the JVM that runs the service. */
    static String javaVersion(String java) {
        String[] lines = run(java, "-version").split("\n");
        return lines.length > 1 ? lines[0].trim() + "; " + lines[1].trim() : lines[0].trim();
    }

    /** The commit the service was built from; uncommitted changes are flagged because they may matter. */
    static String gitRevision() {
        String head = run("git", "rev-parse", "--short", "HEAD").trim();
        if (head.isEmpty() || head.contains("fatal") || head.contains("n/a")) {
            return "git revision unknown";
        }
        boolean dirty = !run("git", "status", "--porcelain", "--untracked-files=no").isBlank();
        return "git " + head + (dirty ? " + uncommitted changes" : "");
    }
}
