package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.kimik2.testsupport.platform.GraphQlClient;

/**
 * One person's burst: {@code burstSizes} (16, 64, 256) concurrent {@code sendPrompt}, each from its own thread, all
 * released at once; meanwhile another person reads {@code me} in a loop on a client of its own. Every answer must be
 * typed ({@code PromptAccepted}, {@code InsufficientCredits} or {@code Busy}), none an error; the figures are how
 * fast the answers came ({@code answerBound}, 2 s) and the other person's {@code me} latency during the burst
 * (target p99 <= 100 ms, never more than 1 s). After each burst the accepted prompts settle: nothing held, no debt.
 */
record BurstScenario(Harness h) {

    void run() throws Exception {
        int[] sizes = h.settings.integers("burstSizes", "16,64,256");
        Duration answerBound = Duration.ofMillis(h.settings.integer("answerBoundMillis", 2000));
        Prompter prompter = new Prompter(h.api().client(), h.runId, h.settings.integer("maxTokens", 0),
                Duration.ofSeconds(h.settings.integer("promptTimeout", 60)));
        Api api = h.api();
        String burster = api.login(api.register("burst_" + h.runId, "Burst Sender"));
        Api.Account other = api.register("reader_" + h.runId, "Balance Reader");
        String reader = api.login(other);
        api.awaitBalance(burster, -1, 0, h.settleTimeout);
        api.awaitBalance(reader, -1, 0, h.settleTimeout);
        // the other person has a client of its own: the burst's connections do not delay its reads
        Api readerApi = new Api(new GraphQlClient(URI.create(h.service().baseUrl()), h.requestTimeout));

        for (int size : sizes) {
            List<Long> meNanos = Collections.synchronizedList(new ArrayList<>());
            List<String> meFailures = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch burstOver = new CountDownLatch(1);
            Thread observer = new Thread(() -> {
                while (burstOver.getCount() > 0) {
                    long t0 = System.nanoTime();
                    try {
                        readerApi.me(reader, other.id());
                        meNanos.add(System.nanoTime() - t0);
                    } catch (RuntimeException e) {
                        meFailures.add(e.getMessage());
                    }
                }
            }, "burst-observer");

            ExecutorService pool = Executors.newFixedThreadPool(size);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Object[]>> answers = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                String key = "burst" + size + "-" + i;
                answers.add(pool.submit(() -> {
                    go.await();
                    long t0 = System.nanoTime();
                    JsonNode answer = prompter.send(burster, key);
                    return new Object[] {answer.path("__typename").asText(), System.nanoTime() - t0};
                }));
            }
            CpuWatch cpu = h.cpu();
            observer.start();
            Thread.sleep(200); // the observer's first reads come before the burst
            long start = System.nanoTime();
            go.countDown();
            Map<String, Integer> byType = new TreeMap<>();
            List<Long> answerNanos = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            for (Future<Object[]> f : answers) {
                try {
                    Object[] a = f.get(2 * answerBound.toMillis() + 60_000, TimeUnit.MILLISECONDS);
                    byType.merge((String) a[0], 1, Integer::sum);
                    answerNanos.add((Long) a[1]);
                } catch (Exception e) {
                    errors.add(String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.toString()));
                }
            }
            long wall = System.nanoTime() - start;
            burstOver.countDown();
            observer.join(10_000);
            pool.shutdownNow();
            CpuWatch.Usage usage = cpu.usage();

            long[] answersSorted = Report.sorted(answerNanos);
            long[] me = Report.sorted(meNanos);
            boolean inBound = answersSorted.length == 0 || Report.percentileMillis(answersSorted, 1.0) <= answerBound.toMillis();
            double meMax = Report.percentileMillis(me, 1.0);
            String scenario = "burst " + size;
            h.report.row(new Report.Row(scenario, "one person's " + size + " concurrent sendPrompt",
                    answerNanos.size() / (wall / 1e9), "answers/s", "sendPrompt to its answer",
                    Report.percentileMillis(answersSorted, 0.5), Report.percentileMillis(answersSorted, 0.99),
                    usage.other(), byType + ", " + errors.size() + " errors; all within " + answerBound.toMillis()
                            + " ms: " + (inBound ? "yes" : "NO")));
            h.report.row(new Report.Row(scenario + " me", "another person's `me` during the burst",
                    meNanos.size() / (wall / 1e9), "queries/s", "me (one client, closed loop)",
                    Report.percentileMillis(me, 0.5), Report.percentileMillis(me, 0.99), usage.other(),
                    meNanos.size() + " reads, " + meFailures.size() + " failed, slowest " + Report.millis(meMax)
                            + (meMax <= 1000 ? " (<= 1 s)" : " (MORE than 1 s)")));
            if (!errors.isEmpty()) {
                h.report.problem(scenario + ": " + errors.size() + " answers were errors, first: " + errors.get(0));
            }
            if (!meFailures.isEmpty()) {
                h.report.problem(scenario + ": " + meFailures.size() + " of the other person's reads failed, first: "
                        + meFailures.get(0));
            }
            // the accepted prompts finish in the background: wait until nothing is held
            try {
                JsonNode credits = api.awaitBalance(burster, -1, 0, h.settleTimeout);
                h.report.detail("burst", "balance after the burst of " + size + " (held 0, debt 0)", credits.toString());
            } catch (Api.BenchFailure e) {
                h.report.problem(scenario + ": " + e.getMessage());
            }
        }
    }
}
