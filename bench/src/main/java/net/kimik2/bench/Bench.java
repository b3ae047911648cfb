package net.kimik2.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * The one entry point of the benchmarks: {@code Bench <scenario>[,<scenario>...] [key=value ...]}
 * ({@code bench/run-bench.sh} builds the jars and calls it).
 *
 * <p>Scenarios against the packaged service, any number of them in ONE service run, in the order given (each
 * reported per second and as a ratio to {@code ping} measured in the same run; a run without {@code http} measures
 * ping first): {@code http} (ping and me with wrk), {@code prompts} (many people), {@code burst} (one person's
 * 16/64/256 concurrent sendPrompt, another person's me meanwhile), {@code one-person} (8 clients of one person, 400
 * prompts), {@code replay} (all views through the service), {@code registrations}; {@code all} = http, prompts,
 * burst, one-person, replay. On a service of its own: {@code erasure}. In-process, without the service:
 * {@code crypto-replay} ({@link ReplayBench}), {@code key-load} ({@link KeyLoadBench}), {@code jmh} (the JMH
 * benchmarks; further arguments are JMH's).
 */
public final class Bench {

    private static final Map<String, String> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put("http", "ping and me over HTTP, driven by wrk");
        SCENARIOS.put("prompts", "prompts end to end, many people, streamed to done over graphql-ws");
        SCENARIOS.put("burst", "one person's 16/64/256 concurrent sendPrompt; another person's me meanwhile");
        SCENARIOS.put("one-person", "8 clients of one person sending 400 prompts");
        SCENARIOS.put("replay", "replay of all views through the service");
        SCENARIOS.put("registrations", "registrations end to end");
        SCENARIOS.put("v1", "OpenAI-style /v1/chat/completions with API keys, plain and streamed (beside prompts)");
        SCENARIOS.put("webhooks", "Stripe webhook events from signature check to ledger (a local Stripe stub)");
        SCENARIOS.put("all", "http, prompts, burst, one-person, replay in one service run");
        SCENARIOS.put("erasure", "erasure time vs a person's event count (a service of its own)");
        SCENARIOS.put("crypto-replay", "in-process replay with and without encryption (ReplayBench)");
        SCENARIOS.put("key-load", "in-process cost of a key load on a cold key cache (KeyLoadBench)");
        SCENARIOS.put("view-replay", "replay of all views of a generated history with decryption, on a service of its own"
                + " (ViewReplayBench: users=2000 conversations=2 prompts=3 rounds=5 [data=dir] [jfr=file])");
        SCENARIOS.put("backends", "issue 15: one node on embedded H2 vs embedded PostgreSQL (commands, prompts, start-up, disk, crash)");
        SCENARIOS.put("nodes", "issue 15: one node vs two on PostgreSQL and an external view store");
        SCENARIOS.put("soak", "issue 15: mixed load over two nodes for minutes=30, DB pause and node kill, CSV and SVG");
        SCENARIOS.put("jmh", "JMH: CryptoBenchmarks, GcmProviderBenchmarks (further arguments go to JMH)");
    }

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.out.println("usage: Bench <scenario>[,<scenario>...] [key=value ...]; scenarios:");
            SCENARIOS.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-14s %s%n", k, v));
            System.exit(args.length == 0 ? 2 : 0);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        System.exit(switch (args[0]) {
            case "jmh" -> jmh(rest);
            case "crypto-replay" -> inProcess(() -> ReplayBench.main(rest));
            case "key-load" -> inProcess(() -> KeyLoadBench.main(rest));
            case "view-replay" -> inProcess(() -> ViewReplayBench.main(rest));
            case "erasure" -> erasure(Settings.parse(rest));
            case "dashboard" -> dashboard(Settings.parse(rest));
            case "backends" -> stores(Settings.parse(rest), "Backends bench run (issue 15)",
                    (settings, report, env) -> new BackendsScenario(settings, report, env).run());
            case "nodes" -> stores(Settings.parse(rest), "Nodes bench run (issue 15)",
                    (settings, report, env) -> new NodesScenario(settings, report, env).run());
            case "soak" -> stores(Settings.parse(rest), "Soak run (issue 15)",
                    (settings, report, env) -> new SoakScenario(settings, report, env).run());
            default -> service(List.of(args[0].split(",")), Settings.parse(rest));
        });
    }

    /** The service scenarios, in one service run. */
    private static int service(List<String> asked, Settings settings) throws Exception {
        List<String> scenarios = new ArrayList<>();
        for (String s : asked) {
            if (s.equals("all")) {
                scenarios.addAll(List.of("http", "prompts", "burst", "one-person", "replay"));
            } else if (!SCENARIOS.containsKey(s) || List.of("erasure", "crypto-replay", "key-load", "jmh", "view-replay").contains(s)) {
                throw new IllegalArgumentException("unknown service scenario " + s + "; one of " + SCENARIOS.keySet());
            } else {
                scenarios.add(s);
            }
        }
        if (!scenarios.contains("http") && settings.flag("ping", true)) {
            scenarios.add(0, "ping"); // the yardstick of the run
        }
        Report report = new Report("Bench run " + String.join(",", scenarios));
        Harness h = new Harness(settings, report);
        Map<String, String> env = serviceEnvironment(settings, h.adminPassword);
        long signup = settings.number("signupCredits", 100_000_000);
        String perMinute = env.get("KIMI_LIMITS_PERSON_REQUESTS_PER_MINUTE");
        String chunkDelay = settings.string("chunkDelay", "0ms");
        report.header("service: `" + settings.string("jar", "app/target/kimi-backend.jar") + "`, `-Xmx"
                + settings.string("heap", "2g") + "`, " + ("postgres".equals(settings.string("store", "h2"))
                ? "event store and keys on PostgreSQL (store line), embedded mongo-java-server views, "
                : "embedded default (H2 event store, mongo-java-server views), ")
                + "OFFLINE model, chunk delay " + chunkDelay + ", signup credits " + signup + ", request and token limits "
                + perMinute + "/min, "
                + settings.string("revision", Machine.gitRevision()));
        // webhooks: a local Stripe stub answers the service's re-reads; events are signed with its test secret
        net.kimik2.testsupport.payments.StripeStub stripe = null;
        if (scenarios.contains("webhooks")) {
            stripe = new net.kimik2.testsupport.payments.StripeStub();
            env.put("STRIPE_API_KEY", "sk_test_bench");
            env.put("STRIPE_WEBHOOK_SECRET", net.kimik2.testsupport.payments.StripeStub.TEST_SECRET);
            env.put("STRIPE_API_BASE", stripe.baseUrl());
        }
        // store=postgres: the same scenarios with the event store and keys on an embedded PostgreSQL (issue 15)
        Cluster stores = "postgres".equals(settings.string("store", "h2"))
                ? Cluster.postgres(settings, env, false) : null;
        if (stores != null) {
            env = stores.serviceEnvironment();
            report.header("store: " + stores.describe());
        }
        h.start(env, null, Harness.logFile("bench"));
        try {
            if (!h.service().log().contains("using the OFFLINE model")) {
                report.problem("the service log does not say it uses the OFFLINE model; see " + h.service().logFile());
            }
            double manyPeople = Double.NaN;
            for (String scenario : scenarios) {
                System.out.println("=== " + scenario);
                try {
                    switch (scenario) {
                        case "ping" -> new HttpScenario(h, false).run();
                        case "http" -> new HttpScenario(h, true).run();
                        case "prompts" -> manyPeople = new PromptScenario(h, false).run(Double.NaN);
                        case "one-person" -> new PromptScenario(h, true).run(manyPeople);
                        case "burst" -> new BurstScenario(h).run();
                        case "replay" -> new ReplayScenario(h).run();
                        case "registrations" -> new RegistrationScenario(h).run();
                        case "v1" -> new V1Scenario(h).run();
                        case "webhooks" -> new WebhookScenario(h, stripe).run();
                        default -> throw new IllegalStateException(scenario);
                    }
                } catch (Exception | AssertionError e) {
                    // the next scenarios still run, and the service is still stopped and described
                    report.problem(scenario + " aborted: " + e);
                }
            }
        } finally {
            h.stop("service");
            if (stripe != null) {
                stripe.close();
            }
            if (stores != null) {
                stores.close();
            }
        }
        report.header("settings: " + settings.used());
        return report.publish(Path.of(settings.string("out", "docs/benchmarks.md")), settings.flag("append", true));
    }

    /**
     * The service settings every service scenario shares: signup credits, the admin password, the offline model (no
     * KIMI_MODEL_API_KEY reaches the service) at {@code chunkDelay} (0 ms) per chunk, and the per-person and per-key
     * limits (ADR 0019) lifted to {@code limitPerMinute}: throughput is measured, not the limits.
     */
    static Map<String, String> serviceEnvironment(Settings settings, String adminPassword) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KIMI_SIGNUP_CREDITS", Long.toString(settings.number("signupCredits", 100_000_000)));
        env.put("KIMI_ADMIN_PASSWORD", adminPassword);
        String perMinute = settings.string("limitPerMinute", "100000000");
        for (String limit : new String[] {"PERSON_REQUESTS", "PERSON_TOKENS", "KEY_REQUESTS", "KEY_TOKENS"}) {
            env.put("KIMI_LIMITS_" + limit + "_PER_MINUTE", perMinute);
        }
        String chunkDelay = settings.string("chunkDelay", "0ms");
        if (!chunkDelay.equals("default")) {
            env.put("KIMI_MODEL_OFFLINE_CHUNK_DELAY", chunkDelay);
        }
        return env;
    }

    /** A scenario that starts its own stores and nodes (issue 15: {@link Cluster}). */
    private interface StoresScenario {
        void run(Settings settings, Report report, Map<String, String> env) throws Exception;
    }

    private static int stores(Settings settings, String title, StoresScenario scenario) throws Exception {
        Report report = new Report(title);
        report.header("command: `" + settings.string("command", "java -cp bench/target/kimi-bench.jar net.kimik2.bench.Bench") + "`");
        report.header("machine: nproc " + Machine.run("nproc").trim() + ", " + Machine.cpuModel() + ", "
                + Machine.freeMemLine() + "; load before the run: `" + Machine.run("uptime").trim() + "`");
        Map<String, String> env = serviceEnvironment(settings, settings.string("adminPassword", "bench-admin-password-2026"));
        // one Argon2 permit per node on this 2-core machine (CredentialBulkhead): C registering clients would be
        // refused BUSY after 1 s on a loaded machine; they queue instead, so the figure is the hashing throughput
        String hashingWait = settings.string("hashingMaxWait", "30s");
        env.put("KIMI_SECURITY_PASSWORD_HASHING_MAX_WAIT", hashingWait);
        report.header("service: `" + settings.string("jar", "app/target/kimi-backend.jar") + "`, `-Xmx"
                + settings.string("heap", "2g") + "` per node, OFFLINE model, chunk delay " + settings.string("chunkDelay", "0ms")
                + ", signup credits " + settings.number("signupCredits", 100_000_000) + ", limits lifted, password hashing"
                + " max wait " + hashingWait + ", "
                + settings.string("revision", Machine.gitRevision()));
        try {
            scenario.run(settings, report, env);
        } catch (Exception | AssertionError e) {
            report.problem("aborted: " + e);
            e.printStackTrace();
        }
        report.header("load after the run: `" + Machine.run("uptime").trim() + "`");
        report.header("settings: " + settings.used());
        return report.publish(Path.of(settings.string("out", "docs/benchmarks.md")), settings.flag("append", true));
    }

    /** A scenario that starts (and may restart) a service of its own. */
    private interface OwnService {
        void run(Harness h) throws Exception;
    }

    private static int erasure(Settings settings) throws Exception {
        return onItsOwnService(settings, "Erasure bench run", "erasure", h -> new ErasureScenario(h).run());
    }

    private static int dashboard(Settings settings) throws Exception {
        return onItsOwnService(settings, "Dashboard bench run (issue 12)", "dashboard",
                h -> new DashboardScenario(h).run());
    }

    private static int onItsOwnService(Settings settings, String title, String name, OwnService scenario)
            throws Exception {
        Report report = new Report(title);
        Harness h = new Harness(settings, report);
        try {
            scenario.run(h);
        } catch (Exception | AssertionError e) {
            report.problem(name + " aborted: " + e);
        } finally {
            if (h.service() != null) {
                h.stop(name);
            }
        }
        report.header("settings: " + settings.used());
        return report.publish(Path.of(settings.string("out", "docs/benchmarks.md")), settings.flag("append", true));
    }

    /** JMH from the bench jar (default: {@code -f 1 -wi 3 -w 5s -i 5 -r 5s CryptoBenchmarks}), with the CPU it and others took. */
    private static int jmh(String[] args) throws Exception {
        List<String> jmhArgs = new ArrayList<>(args.length > 0 ? List.of(args)
                : List.of("-f", "1", "-wi", "3", "-w", "5s", "-i", "5", "-r", "5s", "CryptoBenchmarks"));
        if (!jmhArgs.contains("-rf")) {
            // the raw figures, next to the bench build
            jmhArgs.addAll(List.of("-rf", "json", "-rff", "bench/target/jmh-crypto.json"));
        }
        System.out.println("machine: nproc " + Runtime.getRuntime().availableProcessors() + ", " + Machine.cpuModel());
        CpuWatch cpu = CpuWatch.start(ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        new Runner(new CommandLineOptions(jmhArgs.toArray(String[]::new))).run();
        CpuWatch.Usage usage = cpu.usage();
        System.out.printf(Locale.ROOT, "CPU during the JMH run (%.0f s): %.2f cores JMH (host + forks), %.2f cores other processes%n",
                (System.nanoTime() - t0) / 1e9, usage.ours() + usage.children(), usage.other());
        return 0;
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    private static int inProcess(Body body) throws Exception {
        body.run();
        return 0;
    }
}
