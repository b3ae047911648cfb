package net.kimik2.testsupport.platform;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's {@code chromium} and {@code chromium-driver}, never a downloaded browser: installed with apt-get when the
 * test runs as root on a machine without them, otherwise it fails saying how to install them (never skips).
 * The paths are given explicitly, so Selenium Manager is never asked to find or fetch anything.
 */
public final class SystemChromium {

    public static final Path BROWSER = Path.of(System.getProperty("kimi.test.chromium", "/usr/bin/chromium"));
    public static final Path DRIVER = Path.of(System.getProperty("kimi.test.chromedriver", "/usr/bin/chromedriver"));

    private SystemChromium() {
    }

    /** Installs the Debian packages if they are missing (as root), or fails with the command to run. */
    public static synchronized void ensureInstalled() throws Exception {
        if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) {
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("The browser test needs Debian's chromium and chromium-driver: run "
                    + "`sudo apt-get install -y chromium chromium-driver` (or set -Dkimi.test.chromium and "
                    + "-Dkimi.test.chromedriver to their paths)");
        }
        run(List.of("apt-get", "update"));
        run(List.of("apt-get", "install", "-y", "--no-install-recommends", "chromium", "chromium-driver"));
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            throw new AssertionError("apt-get installed chromium, but " + BROWSER + " or " + DRIVER + " is missing");
        }
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO()
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " failed: install chromium and chromium-driver "
                    + "with `apt-get install -y chromium chromium-driver`");
        }
    }

    /**
     * A headless Chromium with no network route out: every request that is not to the loopback interface goes to a
     * proxy on a closed local port (Chromium never proxies loopback), and host names other than localhost do not
     * resolve. So a page that needs anything from the internet cannot get it.
     */
    public static ChromeDriver offlineBrowser(int width, int height) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=" + width + "," + height, "--proxy-server=http://127.0.0.1:9",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-default-apps", "--disable-sync", "--metrics-recording-only");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        return driver;
    }
}
