package net.kimik2.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prompts end to end (offline model) from C closed-loop clients, each with its own graphql-ws socket:
 * <ul>
 * <li>{@code prompts} - many people: every client its own account ({@code c}, 8; {@code n} prompts, 500);</li>
 * <li>{@code one-person} - one person on several devices: every client logs in to the same account
 * ({@code onePersonClients}, 8; {@code onePersonPrompts}, 400). Every answer must be typed, none an error, and the
 * prompts should settle at no less than half the many-people rate of the same run.</li>
 * </ul>
 * A {@code Busy} answer is counted and the prompt sent again after {@code busyBackoffMillis} (50; the hint's whole
 * seconds would measure the hint rather than the service). Warm-up rounds of {@code warmupPrompts} (100) run until
 * two consecutive rounds are within {@code stableWithin} ({@code maxWarmupRounds}, 6). Afterwards every account's
 * balance must be its signup credits minus what its final chunks reported, nothing held, no debt.
 *
 * <p>With several {@code nodes} (issue 15) client i talks to node i mod N only, for its HTTP requests and its socket
 * (session affinity, as a load balancer would pin a person); its account is registered there too.
 */
record PromptScenario(Harness h, boolean onePerson, List<Harness> nodes) {

    PromptScenario(Harness h, boolean onePerson) {
        this(h, onePerson, List.of(h));
    }

    private Harness node(int client) {
        return nodes.get(client % nodes.size());
    }

    private String name() {
        return onePerson ? "one-person" : "prompts";
    }

    /** Prompts settled per second, or NaN when none. */
    double run(double manyPeoplePerSecond) throws Exception {
        int clients = h.settings.integer(onePerson ? "onePersonClients" : "c", 8);
        int n = h.settings.integer(onePerson ? "onePersonPrompts" : "n", onePerson ? 400 : 500);
        int warmupPrompts = h.settings.integer("warmupPrompts", 100);
        int maxWarmupRounds = h.settings.integer("maxWarmupRounds", 6);
        double within = h.settings.decimal("stableWithin", 0.05);
        long busyBackoff = h.settings.integer("busyBackoffMillis", 50);
        long signup = h.settings.number("signupCredits", 100_000_000);
        int maxTokens = h.settings.integer("maxTokens", 0);
        java.time.Duration promptTimeout = java.time.Duration.ofSeconds(h.settings.integer("promptTimeout", 60));
        Prompter[] prompters = new Prompter[clients];
        for (int i = 0; i < clients; i++) {
            prompters[i] = new Prompter(node(i).api().client(), h.runId, maxTokens, promptTimeout);
        }

        // accounts: one per client, or one for all; each client logs in itself (its own session) and opens a socket
        List<Api.Account> accounts = new ArrayList<>();
        List<AtomicLong> costs = new ArrayList<>();
        for (int i = 0; i < (onePerson ? 1 : clients); i++) {
            accounts.add(node(i).api().registerOnAnyNode(name().replace("-", "") + "_" + h.runId + "_" + nodes.size() + "n_" + i, "Prompt Bench " + i, NodesScenario.CONFLICTS));
            costs.add(new AtomicLong());
        }
        Prompter.Client[] bench = new Prompter.Client[clients];
        try {
            for (int i = 0; i < clients; i++) {
                int account = onePerson ? 0 : i;
                String token = node(i).api().login(accounts.get(account));
                bench[i] = new Prompter.Client(token, node(i).socket(token), costs.get(account));
            }
            for (int i = 0; i < accounts.size(); i++) {
                node(onePerson ? 0 : i).api().awaitBalance(bench[onePerson ? 0 : i].token(), signup, 0, h.settleTimeout);
            }

            AtomicInteger busy = new AtomicInteger();
            List<Prompter.Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
            Load.ClientTask task = (k, i) -> {
                while (true) {
                    Prompter.Outcome o = prompters[k].prompt(bench[k], name() + "-" + System.nanoTime() + "-" + i);
                    if (o.done() || o.type().equals("InsufficientCredits")) {
                        outcomes.add(o);
                        return;
                    }
                    busy.incrementAndGet(); // Busy answer or a stream that ended BUSY: a client sends it again
                    try {
                        Thread.sleep(busyBackoff);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new Api.BenchFailure("interrupted");
                    }
                }
            };
            WarmUp.Outcome warm = WarmUp.untilStable(maxWarmupRounds, within, r -> {
                Load.Result result = Load.count(warmupPrompts, clients, task);
                failIf(result, "warm-up round " + r);
                return new double[] {result.perSecond()};
            });
            h.report.detail(name(), "warm-up (prompts per second)", warm.describe(within, maxWarmupRounds));
            if (!warm.stable()) {
                h.report.note(name() + ": the warm-up did not reach two consecutive rounds within " + Report.percent(within));
            }
            busy.set(0);
            outcomes.clear();

            CpuWatch cpu = h.cpu();
            Load.Result result = Load.count(n, clients, task);
            CpuWatch.Usage usage = cpu.usage();
            failIf(result, "measured window");
            List<Prompter.Outcome> done = outcomes.stream().filter(Prompter.Outcome::done).toList();
            double perSecond = done.size() / (result.wallNanos() / 1e9);
            long[] answer = Report.sorted(done.stream().map(Prompter.Outcome::answerNanos).toList());
            long[] first = Report.sorted(done.stream().map(Prompter.Outcome::firstNanos).toList());
            long[] fin = Report.sorted(done.stream().map(Prompter.Outcome::finalNanos).toList());
            int insufficient = outcomes.size() - done.size();

            String check = done.size() + " streamed to done, " + busy.get() + " Busy (sent again), " + insufficient
                    + " InsufficientCredits, 0 errors";
            if (onePerson && !Double.isNaN(manyPeoplePerSecond)) {
                boolean ok = perSecond >= manyPeoplePerSecond / 2;
                check += String.format(Locale.ROOT, "; %.2f of the many-people rate (floor 0.5): %s",
                        perSecond / manyPeoplePerSecond, ok ? "met" : "NOT met");
            }
            h.report.row(new Report.Row(name(), (onePerson ? clients + " clients of one person" : clients + " people")
                    + ", " + n + " prompts streamed to done over graphql-ws", perSecond, "prompts/s",
                    "sendPrompt to its answer", Report.percentileMillis(answer, 0.5), Report.percentileMillis(answer, 0.99),
                    usage.other(), check));
            h.report.detail(name(), "sendPrompt to its answer, p50 / p90 / p99 / max", Report.latencies(answer));
            h.report.detail(name(), "sendPrompt to first chunk, p50 / p90 / p99 / max", Report.latencies(first));
            h.report.detail(name(), "sendPrompt to final chunk, p50 / p90 / p99 / max", Report.latencies(fin));
            h.report.detail(name(), "chunks per answer, median", done.isEmpty() ? "n/a"
                    : Integer.toString(done.stream().mapToInt(Prompter.Outcome::chunks).sorted().toArray()[done.size() / 2]));
            h.report.detail(name(), "CPU during the measured window", usage.toString());

            // the ledger: signup - what the final chunks reported, nothing held, no debt
            int consistent = 0;
            for (int i = 0; i < accounts.size(); i++) {
                try {
                    node(onePerson ? 0 : i).api().awaitBalance(bench[onePerson ? 0 : i].token(), signup - costs.get(i).get(), 0, h.settleTimeout);
                    consistent++;
                } catch (Api.BenchFailure e) {
                    h.report.problem(name() + ": ledger of " + accounts.get(i).username() + ": " + e.getMessage());
                }
            }
            h.report.detail(name(), "ledger after the run (available = signup - sum of usage.costCredits, held 0, debt 0)",
                    consistent + "/" + accounts.size() + " accounts consistent");
            return done.isEmpty() ? Double.NaN : perSecond;
        } finally {
            for (Prompter.Client c : bench) {
                if (c != null) {
                    c.socket().close();
                }
            }
        }
    }

    private void failIf(Load.Result result, String phase) {
        if (!result.failures().isEmpty()) {
            throw new Api.BenchFailure(name() + " " + phase + ": " + result.failures().size() + " of " + result.attempted()
                    + " failed, first: " + result.failures().get(0));
        }
    }
}
