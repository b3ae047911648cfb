package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import net.kimik2.testsupport.platform.SystemChromium;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The compliance dashboard under a history (issue 12): {@code requests} erasure requests (1000) and at least
 * {@code events} events in the store (100000; admin grants over GraphQL fill up what registrations and erasures did
 * not make), then (1) the first paint of /admin in Debian's Chromium, and the time until the erasure list is drawn,
 * over {@code loads} page loads (5) after signing in; (2) a replay of all views, polled every 50 ms: the longest gap
 * between two changes of its reported progress. Settings: {@code requests}, {@code events}, {@code c} (4),
 * {@code loads}.
 */
final class DashboardScenario {

    private static final String ERASE = """
            mutation Erase($input: AdminRequestErasureInput!) {
              adminRequestErasure(input: $input) { __typename }
            }""";
    private static final String GRANT = """
            mutation Grant($input: GrantCreditsInput!) { grantCredits(input: $input) { __typename } }""";
    private static final String PROGRESS = "{ viewProcessors { name headPosition replay { done finished } } }";

    private final Harness h;

    DashboardScenario(Harness harness) {
        this.h = harness;
    }

    void run() throws Exception {
        int requests = h.settings.integer("requests", 1000);
        long events = h.settings.number("events", 100_000);
        int c = h.settings.integer("c", 4);
        int loads = h.settings.integer("loads", 5);
        SystemChromium.ensureInstalled();
        h.start(Map.of("KIMI_ADMIN_PASSWORD", h.adminPassword), null, Harness.logFile("dashboard-bench"));
        Api api = h.api();
        String admin = api.login("admin", h.adminPassword);

        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(c);
        List<Future<String>> people = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            int n = i;
            people.add(pool.submit(() -> register(api, "dash_" + n + "_" + h.runId, "Dashboard Bench " + n)));
        }
        List<String> ids = new ArrayList<>();
        for (Future<String> f : people) {
            ids.add(f.get());
        }
        List<Future<?>> erasures = new ArrayList<>();
        for (String id : ids.subList(c, ids.size())) { // the first c people keep their ledgers for the grants
            erasures.add(pool.submit(() -> check(api.client().executeAs(admin, ERASE, Map.of("input",
                    Map.of("userId", id, "legalBasis", "bench"))).data().path("adminRequestErasure"), "ErasureRequested")));
        }
        for (Future<?> f : erasures) {
            f.get();
        }
        api.awaitViewsCaughtUp(admin, Duration.ofMinutes(30));
        long head = head(api, admin);
        AtomicLong key = new AtomicLong();
        List<Future<?>> grants = new ArrayList<>();
        long missing = Math.max(0, events - head);
        for (int w = 0; w < c; w++) {
            String ledger = ids.get(w);
            long share = missing / c + (w < missing % c ? 1 : 0);
            grants.add(pool.submit(() -> {
                for (long i = 0; i < share; i++) {
                    check(api.client().executeAs(admin, GRANT, Map.of("input", Map.of("userId", ledger, "amount", 1,
                            "reason", "bench", "idempotencyKey", "dash-" + key.incrementAndGet()))).data()
                            .path("grantCredits"), "CreditsGranted");
                }
                return null;
            }));
        }
        for (Future<?> f : grants) {
            f.get();
        }
        pool.shutdown();
        api.awaitViewsCaughtUp(admin, Duration.ofMinutes(30));
        head = head(api, admin);
        h.report.detail("dashboard", "history", requests + " erasure requests (" + (requests - c)
                + " of them admin-initiated here), " + (head + 1) + " events, built in " + Report.seconds(System.nanoTime() - t0));

        paint(loads);
        replayCadence(api, admin, head);
    }

    /** Registration hashes a password; under load the hashing bulkhead answers BUSY with a retry hint. */
    private static String register(Api api, String username, String name) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return api.register(username, name).id();
            } catch (RuntimeException e) {
                if (attempt >= 30 || !String.valueOf(e.getMessage()).contains("BUSY")) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
    }

    private static JsonNode check(JsonNode result, String typename) {
        if (!typename.equals(result.path("__typename").asText())) {
            throw new Api.BenchFailure("unexpected answer: " + result);
        }
        return result;
    }

    private static long head(Api api, String admin) {
        return api.viewProcessors(admin).values().stream().mapToLong(p -> p.path("headPosition").asLong())
                .max().orElse(0);
    }

    /** First contentful paint (Chromium's own measure) and the time until the first erasure rows are drawn. */
    private void paint(int loads) throws Exception {
        ChromeDriver browser = SystemChromium.offlineBrowser(1280, 800);
        try {
            String base = h.service().baseUrl();
            browser.get(base + "/admin");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.until(d -> d.findElement(By.id("login-form")).isDisplayed());
            browser.findElement(By.name("username")).sendKeys("admin");
            browser.findElement(By.name("password")).sendKeys(h.adminPassword);
            browser.findElement(By.cssSelector("#login-form button[type=submit]")).click();
            wait.until(d -> d.findElements(By.cssSelector("#erasures tbody tr[data-id]")).size() >= 20);
            double[] fcp = new double[loads];
            double[] data = new double[loads];
            for (int i = 0; i < loads; i++) {
                browser.get(base + "/admin");
                wait.until(d -> (Boolean) browser.executeScript(
                        "return document.querySelectorAll('#erasures tbody tr[data-id]').length >= 20"));
                data[i] = ((Number) browser.executeScript("return performance.now()")).doubleValue();
                fcp[i] = ((Number) browser.executeScript("const p = performance.getEntriesByName("
                        + "'first-contentful-paint')[0]; return p ? p.startTime : -1")).doubleValue();
            }
            h.report.row(new Report.Row("dashboard", "/admin first contentful paint (Chromium, " + loads + " loads)",
                    Double.NaN, "", Report.spread(fcp, Report::millis), Report.median(fcp), Double.NaN, Double.NaN,
                    "signed in; ms from navigation start"));
            h.report.row(new Report.Row("dashboard", "/admin until the first 20 erasure requests are drawn",
                    Double.NaN, "", Report.spread(data, Report::millis), Report.median(data), Double.NaN, Double.NaN,
                    "rows present; ms from navigation start"));
        } finally {
            browser.quit();
        }
    }

    /** A replay of all views: how often its reported progress moves (the page polls once a second). */
    private void replayCadence(Api api, String admin, long head) throws Exception {
        List<String> all = new ArrayList<>(api.viewProcessors(admin).keySet());
        long started = System.nanoTime();
        api.replay(admin, all);
        long lastChange = System.nanoTime();
        long lastDone = -1;
        long maxGap = 0;
        int polls = 0;
        boolean finished = false;
        while (!finished && System.nanoTime() - started < Duration.ofMinutes(30).toNanos()) {
            JsonNode processors = api.client().executeAs(admin, PROGRESS, Map.of()).data().path("viewProcessors");
            polls++;
            long done = 0;
            finished = true;
            for (JsonNode p : processors) {
                done += p.path("replay").path("done").asLong();
                finished &= p.path("replay").path("finished").asBoolean();
            }
            long now = System.nanoTime();
            if (done != lastDone) {
                maxGap = Math.max(maxGap, now - lastChange);
                lastChange = now;
                lastDone = done;
            }
            Thread.sleep(50);
        }
        if (!finished) {
            throw new Api.BenchFailure("replay of all views did not finish");
        }
        long took = System.nanoTime() - started;
        h.report.row(new Report.Row("dashboard", "replay of all " + all.size() + " views, " + (head + 1)
                + " events: longest gap between progress changes", Double.NaN, "", Report.seconds(maxGap) + " (whole "
                + "replay " + Report.seconds(took) + ", " + polls + " polls)", maxGap / 1e6, Double.NaN, Double.NaN,
                "every view's replay.finished"));
    }
}
