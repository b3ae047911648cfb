package net.kimik2.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code nodes} (issue 15): one node vs two on one embedded PostgreSQL and one external view store. First node 1
 * alone: ping (the run's yardstick), registrations, prompts, replay of all views. Then node 2 joins and the same run
 * again over both: ping and me with one wrk per node at the same time (each -t1 -c{@code connections/2}, so the
 * load generator is the same as for one node), registrations and prompts with client k pinned to node k mod 2
 * (session affinity, as a load balancer would pin a person: a prompt's stream is served by the node that accepted
 * it), and the replay started on node 1 with both nodes up.
 */
record NodesScenario(Settings settings, Report report, Map<String, String> env) {

    /** Registrations answered CONFLICT by a node that does not run the account projection (see Api.registerOnAnyNode). */
    static final java.util.concurrent.atomic.AtomicInteger CONFLICTS = new java.util.concurrent.atomic.AtomicInteger();

    void run() throws Exception {
        try (Cluster cluster = Cluster.postgres(settings, multiNode(settings, env), true)) {
            report.header("stores: " + cluster.describe());
            Report one = new Report("1 node");
            Cluster.Node n1 = cluster.start("node-1", one);
            phase(one, () -> {
                new HttpScenario(n1.h, false).run();
                new RegistrationScenario(n1.h).run();
                new PromptScenario(n1.h, false).run(Double.NaN);
                new ReplayScenario(n1.h).run();
            });
            report.absorb("1 node", one);

            Report two = new Report("2 nodes");
            n1.h.report = two;
            Cluster.Node n2 = cluster.start("node-2", two);
            List<Harness> both = List.of(n1.h, n2.h);
            phase(two, () -> {
                pingBoth(two, both);
                new RegistrationScenario(n1.h, both).run();
                new PromptScenario(n1.h, false, both).run(Double.NaN);
                new ReplayScenario(n1.h).run();
            });
            two.detail("nodes", "registrations answered CONFLICT (\"the view is not up to date yet\") by the node"
                    + " without the account projection; stored, found by login", Integer.toString(CONFLICTS.get()));
            report.absorb("2 nodes", two);
        }
    }

    /**
     * Several nodes share the prompt_in_flight table: a node that starts must not fail the prompts of the others.
     * Each view processor gets {@code viewSegments} (2) segments and as many threads per node, so two nodes share a
     * replay and one node can take over all segments of a killed one (ADR 0025; ignored by a build without it).
     */
    static Map<String, String> multiNode(Settings settings, Map<String, String> env) {
        Map<String, String> copy = new java.util.LinkedHashMap<>(env);
        copy.put("KIMI_PROMPTS_FAIL_INTERRUPTED_AT_START", "false");
        String segments = settings.string("viewSegments", "2");
        copy.put("KIMI_PROCESSORS_VIEW_SEGMENTS", segments);
        copy.put("KIMI_PROCESSORS_VIEW_THREADS", segments);
        return copy;
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    private static void phase(Report report, Body body) {
        try {
            body.run();
        } catch (Exception | AssertionError e) {
            report.problem("aborted: " + e);
        }
    }

    /** ping and me on both nodes at once, one wrk per node, {@code rounds} windows of {@code seconds}. */
    private void pingBoth(Report two, List<Harness> nodes) throws Exception {
        int seconds = settings.integer("seconds", 15);
        int rounds = settings.integer("rounds", 3);
        int connections = Math.max(1, settings.integer("connections", 8) / nodes.size());
        List<String> tokens = new ArrayList<>();
        List<Api.Account> accounts = new ArrayList<>();
        for (Harness h : nodes) {
            Api.Account account = h.api().registerOnAnyNode("hbench2_" + h.runId, "HTTP Bench", CONFLICTS);
            String token = h.api().login(account);
            h.api().awaitBalance(token, -1, 0, h.settleTimeout);
            accounts.add(account);
            tokens.add(token);
        }
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try (Wrk wrk = Wrk.from(settings)) {
            Wrk perNode = wrk.with(1, connections);
            for (boolean me : new boolean[] {false, true}) {
                double[] perRound = new double[rounds + 1];
                double[] p50 = new double[rounds + 1];
                double[] p99 = new double[rounds + 1];
                for (int r = 0; r <= rounds; r++) { // round 0 warms both nodes up, not counted
                    List<Future<Wrk.Window>> windows = new ArrayList<>();
                    for (int i = 0; i < nodes.size(); i++) {
                        Harness h = nodes.get(i);
                        String account = accounts.get(i).id();
                        String token = tokens.get(i);
                        windows.add(pool.submit(() -> {
                            String url = h.service().baseUrl() + "/graphql";
                            return me ? perNode.run(url, Api.ME, account, token, seconds, h.cpu())
                                    : perNode.run(url, Api.PING, "\"ping\":true", null, seconds, h.cpu());
                        }));
                    }
                    double sum = 0;
                    double worstP50 = 0;
                    double worstP99 = 0;
                    for (Future<Wrk.Window> w : windows) {
                        Wrk.Window window = w.get();
                        sum += window.rps();
                        worstP50 = Math.max(worstP50, window.p50Us() / 1000.0);
                        worstP99 = Math.max(worstP99, window.p99Us() / 1000.0);
                    }
                    perRound[r] = sum;
                    p50[r] = worstP50;
                    p99[r] = worstP99;
                    System.out.printf(Locale.ROOT, "2 nodes %s round %d: %.0f/s%n", me ? "me" : "ping", r, sum);
                }
                double[] measured = java.util.Arrays.copyOfRange(perRound, 1, perRound.length);
                two.row(new Report.Row(me ? "me" : "ping", (me ? "`" + Api.ME + "`" : "`{ ping }`")
                        + ", one wrk -t1 -c" + connections + " per node, both at once", Report.median(measured),
                        "queries/s", "request, the slower node (median of rounds)",
                        Report.median(java.util.Arrays.copyOfRange(p50, 1, p50.length)),
                        Report.median(java.util.Arrays.copyOfRange(p99, 1, p99.length)), Double.NaN,
                        "sum over both nodes; " + rounds + " rounds, per second "
                                + Report.spread(measured, v -> String.format(Locale.ROOT, "%.0f", v))));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
