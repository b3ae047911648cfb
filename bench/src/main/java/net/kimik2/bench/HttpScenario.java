package net.kimik2.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code { ping }} and {@code { me { id name email credits { available } } }} over HTTP, driven by wrk: ping is the
 * floor (HTTP + Spring for GraphQL, no security context lookup, no view read); me adds the bearer token lookup and
 * the account and balance reads, so me/ping is what those cost. One account, registered and logged in once.
 * Warm-up rounds (a ping window, then a me window) repeat until stable; then {@code rounds} measured rounds
 * alternate the same way, so drift (JIT, GC, a neighbour's build) hits both kinds alike. Before every window one
 * request of each kind through the Java client checks the answer in full.
 *
 * <p>Settings: {@code seconds} (15, per measured window), {@code warmupSeconds} (10), {@code rounds} (5),
 * {@code maxWarmupRounds} (6), {@code stableWithin} (0.05), {@code gapMillis} (1000) and wrk's settings.
 */
record HttpScenario(Harness h, boolean withMe) {

    // withMe false: ping alone, the yardstick of a run whose scenarios do not include http

    void run() throws Exception {
        String name = withMe ? "http" : "ping";
        int seconds = h.settings.integer("seconds", 15);
        int warmupSeconds = h.settings.integer("warmupSeconds", 10);
        int rounds = h.settings.integer("rounds", withMe ? 5 : 3);
        int maxWarmupRounds = h.settings.integer("maxWarmupRounds", 6);
        double within = h.settings.decimal("stableWithin", 0.05);
        int gapMillis = h.settings.integer("gapMillis", 1000);
        String url = h.service().baseUrl() + "/graphql";
        Api api = h.api();
        Api.Account account = api.register("hbench_" + h.runId, "HTTP Bench");
        String token = api.login(account);
        // the signup grant lands after Registered: measure me once the balance shows it, so every window reads the same
        api.awaitBalance(token, -1, 0, h.settleTimeout);

        try (Wrk wrk = Wrk.from(h.settings)) {
            List<List<Wrk.Window>> measured = new ArrayList<>();
            WarmUp.Round round = r -> {
                List<Wrk.Window> windows = new ArrayList<>();
                for (boolean me : withMe ? new boolean[] {false, true} : new boolean[] {false}) {
                    api.ping();
                    api.me(token, account.id());
                    Thread.sleep(gapMillis); // lets the check's connection and the previous window's sockets close
                    windows.add(me ? wrk.run(url, Api.ME, account.id(), token, r > 0 ? seconds : warmupSeconds, h.cpu())
                            : wrk.run(url, Api.PING, "\"ping\":true", null, r > 0 ? seconds : warmupSeconds, h.cpu()));
                }
                if (r > 0) {
                    measured.add(windows);
                }
                System.out.printf(Locale.ROOT, "%s round %d: %s%n", r > 0 ? "measured" : "warm-up", Math.abs(r),
                        windows.stream().map(w -> Report.rate(w.rps(), "/s") + " p99 " + Report.millis(w.p99Us() / 1000.0)).toList());
                return windows.stream().mapToDouble(Wrk.Window::rps).toArray();
            };
            // warm-up rounds are numbered negative so the round knows it is one
            WarmUp.Outcome warm = WarmUp.untilStable(maxWarmupRounds, within, r -> round.run(-r));
            h.report.detail(name, "warm-up (ping" + (withMe ? " / me" : "") + " per second)",
                    warm.describe(within, maxWarmupRounds));
            if (!warm.stable()) {
                h.report.note(name + ": the warm-up did not reach two consecutive rounds within " + Report.percent(within));
            }
            for (int r = 1; r <= rounds; r++) {
                round.run(r);
            }
            row("ping", "`{ ping }`, POST /graphql, wrk -c" + wrk.connections(), measured, 0);
            if (withMe) {
                row("me", "`" + Api.ME + "`, one account's bearer token, wrk -c" + wrk.connections(), measured, 1);
                double[] ratios = measured.stream().mapToDouble(w -> w.get(1).rps() / w.get(0).rps()).toArray();
                h.report.detail(name, "me/ping per round, median (min - max)", Report.spread(ratios, Report::ratio));
            }
            h.report.detail(name, "load generator", wrk.describe());
        }
    }

    private void row(String scenario, String what, List<List<Wrk.Window>> measured, int kind) {
        List<Wrk.Window> w = measured.stream().map(r -> r.get(kind)).toList();
        double[] rps = w.stream().mapToDouble(Wrk.Window::rps).toArray();
        long requests = w.stream().mapToLong(Wrk.Window::requests).sum();
        h.report.row(new Report.Row(scenario, what, Report.median(rps), "queries/s", "request (median of rounds)",
                Report.median(w.stream().mapToDouble(x -> x.p50Us() / 1000.0).toArray()),
                Report.median(w.stream().mapToDouble(x -> x.p99Us() / 1000.0).toArray()),
                Report.median(w.stream().mapToDouble(x -> x.cpu().other()).toArray()),
                requests + " answers checked, 0 bad; " + w.size() + " rounds, per second "
                        + Report.spread(rps, v -> String.format(Locale.ROOT, "%.0f", v))));
    }
}
