package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.kimik2.testsupport.payments.StripeStub;
import net.kimik2.testsupport.payments.StripeWebhooks;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.GraphQlWsClient;

/**
 * {@code soak} (issue 15): {@code minutes} (30) of mixed load over two nodes on one embedded PostgreSQL and one
 * external view store: registrations (1 client, {@code registerPauseMillis} 300 between), prompts streamed to done
 * ({@code promptClients} 4, each a person of its own), {@code me} (1 client, {@code mePauseMillis} 20) and Stripe
 * webhooks (1 client, a paid pack purchase every {@code webhookPauseMillis} 1000, through the local Stripe stub).
 * Every person is pinned to one node (session affinity); when its node does not answer the client moves to the other,
 * as a load balancer would.
 *
 * <p>Every {@code sampleSeconds} (10) a CSV row: the machine's load average, heap used per node (jstat), view
 * processor lag (the highest head - position of {@code viewProcessors} on node 1), and per operation count and
 * p50/p95/p99 over the interval, errors. Faults: the database paused (SIGSTOP) for {@code pauseSeconds} (10) at 35 %
 * of the run; node 2 killed (SIGKILL) at 60 % and started again {@code restartAfterSeconds} (10) later. Every error is
 * counted by kind (a 5xx with a stack trace is a problem). A client-side journal keeps every acknowledged
 * registration, grant (webhook answered 2xx; an unanswered event is delivered again, as Stripe does) and prompt
 * streamed to done; afterwards every registration must log in, every person's balance must be signup + grants -
 * the costs its final chunks reported (exact for people without an interrupted prompt), and the admin consistency
 * check must find no difference. The CSV and an SVG chart go to {@code soakDir} (docs/benchmarks).
 */
final class SoakScenario {

    private static final long PACK_CREDITS = WebhookScenario.PACK_CREDITS;
    private static final List<String> OPS = List.of("register", "prompt", "me", "webhook");
    private static final String CONSISTENCY = "mutation { runConsistencyCheck { eventsRead balancesChecked durationMillis"
            + " differences { view documentId field expected actual } } }";

    /** A person of the prompt clients: pinned to a node; what the journal expects of its balance. */
    private static final class Person {
        final String username;
        final String id;
        final AtomicInteger node;
        volatile String token;
        final AtomicLong cost = new AtomicLong();
        final AtomicLong grants = new AtomicLong();
        final AtomicBoolean uncertain = new AtomicBoolean();
        final AtomicInteger done = new AtomicInteger();

        Person(String username, String id, int node, String token) {
            this.username = username;
            this.id = id;
            this.node = new AtomicInteger(node);
            this.token = token;
        }
    }

    /** One CSV row. */
    record Sample(double t, String utc, double load1, double[] heapMiB, double lag, Map<String, double[]> ops,
                  long errors, boolean node2Up, boolean dbPaused) {
    }

    /** A fault window, in seconds from the start. */
    record Fault(String what, double from, double to) {
    }

    private final Settings settings;
    private final Report report;
    private final Map<String, String> env;
    private final Map<String, ConcurrentLinkedQueue<Long>> interval = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> totals = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> all = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final Map<String, String> firstError = new ConcurrentHashMap<>();
    private final AtomicLong intervalErrors = new AtomicLong();
    private final ConcurrentLinkedQueue<String> registered = new ConcurrentLinkedQueue<>();
    private final List<Person> people = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private volatile boolean running = true;
    private volatile boolean dbPaused;
    private List<Cluster.Node> nodes;
    private String runId;
    private StripeStub stripe;

    SoakScenario(Settings settings, Report report, Map<String, String> env) {
        this.settings = settings;
        this.report = report;
        this.env = env;
        for (String op : OPS) {
            interval.put(op, new ConcurrentLinkedQueue<>());
            totals.put(op, new AtomicLong());
            all.put(op, java.util.Collections.synchronizedList(new ArrayList<>()));
        }
    }

    void run() throws Exception {
        double minutes = settings.decimal("minutes", 30);
        int sampleSeconds = settings.integer("sampleSeconds", 10);
        stripe = new StripeStub();
        Map<String, String> serviceEnv = NodesScenario.multiNode(settings, env);
        serviceEnv.put("STRIPE_API_KEY", "sk_test_bench");
        serviceEnv.put("STRIPE_WEBHOOK_SECRET", StripeStub.TEST_SECRET);
        serviceEnv.put("STRIPE_API_BASE", stripe.baseUrl());
        try (Cluster cluster = Cluster.postgres(settings, serviceEnv, true)) {
            report.header("stores: " + cluster.describe());
            Report yardstick = new Report("ping");
            Cluster.Node n1 = cluster.start("node-1", yardstick);
            Cluster.Node n2 = cluster.start("node-2", new Report("node-2"));
            nodes = List.of(n1, n2);
            runId = n1.h.runId;
            new HttpScenario(n1.h, false).run(); // the yardstick, before the load
            report.absorb("node 1 before the load", yardstick);

            int promptClients = settings.integer("promptClients", 4);
            for (int i = 0; i < promptClients; i++) {
                // registered on node 1 (a build without cross-node view notices answers a registration on the node
                // that does not run the account projection with CONFLICT), then signed in on the node it is pinned to
                Api.Account a = n1.h.api().registerOnAnyNode("soak_" + runId + "_p" + i, "Soak Person " + i,
                        NodesScenario.CONFLICTS);
                people.add(new Person(a.username(), a.id(), i % 2, nodes.get(i % 2).h.api().login(a)));
            }
            long signup = settings.number("signupCredits", 100_000_000);
            for (Person p : people) {
                nodes.get(p.node.get()).h.api().awaitBalance(p.token, signup, 0, Duration.ofSeconds(60));
            }
            String admin = n1.h.api().login("admin", n1.h.adminPassword);

            List<Thread> workers = new ArrayList<>();
            for (int i = 0; i < promptClients; i++) {
                int k = i;
                workers.add(worker("prompt-" + k, () -> promptLoop(people.get(k))));
            }
            workers.add(worker("register", this::registerLoop));
            workers.add(worker("me", this::meLoop));
            workers.add(worker("webhook", this::webhookLoop));

            long start = System.nanoTime();
            double total = minutes * 60;
            Thread faultThread = worker("faults", () -> injectFaults(cluster, n2, start, total));
            List<Sample> samples = new ArrayList<>();
            Api sampler = new Api(new GraphQlClient(URI.create(n1.h.service().baseUrl()), Duration.ofSeconds(3)));
            while (true) {
                double t = (System.nanoTime() - start) / 1e9;
                double next = (samples.size() + 1) * (double) sampleSeconds;
                if (next > total + 0.001) {
                    break;
                }
                Thread.sleep(Math.max(0, (long) ((next - t) * 1000)));
                samples.add(sample(next, sampler, admin));
                Sample s = samples.get(samples.size() - 1);
                System.out.printf(Locale.ROOT, "soak t=%.0fs load %.2f heap %s lag %.0f errors %d prompts %.0f p99 %.0f ms%n",
                        s.t(), s.load1(), Arrays.toString(s.heapMiB()), s.lag(), s.errors(), s.ops().get("prompt")[0],
                        s.ops().get("prompt")[3]);
            }
            running = false;
            faultThread.join(120_000);
            for (Thread w : workers) {
                w.join(120_000);
            }
            double wall = (System.nanoTime() - start) / 1e9;
            writeOutputs(samples, minutes);
            summarize(wall);
            verify(n1, admin, signup);
        } finally {
            stripe.close();
        }
    }

    private static Thread worker(String name, Runnable body) {
        Thread t = new Thread(body, "soak-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ---------------------------------------------------------------- load

    private Cluster.Node nodeOf(Person p) {
        Cluster.Node node = nodes.get(p.node.get());
        if (!node.h.service().isAlive()) {
            int other = 1 - p.node.get();
            p.node.set(other); // the load balancer moves the person to the node that answers
            count("prompt", "moved to the other node (its node was down)", null);
            node = nodes.get(other);
        }
        return node;
    }

    private void promptLoop(Person p) {
        GraphQlWsClient socket = null;
        String socketUrl = null;
        AtomicLong cost = new AtomicLong();
        int i = 0;
        while (running) {
            Cluster.Node node = nodeOf(p);
            String url = node.h.service().baseUrl();
            try {
                if (socket == null || !url.equals(socketUrl)) {
                    if (socket != null) {
                        socket.close();
                    }
                    socket = node.h.socket(p.token);
                    socketUrl = url;
                }
                Prompter prompter = new Prompter(node.h.api().client(), runId, 0, Duration.ofSeconds(30));
                long t0 = System.nanoTime();
                long before = cost.get();
                Prompter.Outcome o = prompter.prompt(new Prompter.Client(p.token, socket, cost), "soak-" + p.id + "-" + i++);
                if (o.done()) {
                    p.cost.addAndGet(cost.get() - before);
                    p.done.incrementAndGet();
                    ok("prompt", System.nanoTime() - t0);
                } else {
                    count("prompt", "typed " + o.type(), null);
                    pause(50);
                }
            } catch (RuntimeException e) {
                String kind = kind(e);
                if (!kind.startsWith("connection refused")) {
                    p.uncertain.set(true); // the prompt may have been accepted: its charge is not known to the client
                }
                count("prompt", kind, e);
                if (socket != null) {
                    socket.close();
                    socket = null;
                }
                pause(200);
            }
        }
        if (socket != null) {
            socket.close();
        }
    }

    private void registerLoop() {
        long pauseMillis = settings.integer("registerPauseMillis", 300);
        for (int i = 0; running; i++) {
            Cluster.Node node = nodes.get(i % 2).h.service().isAlive() ? nodes.get(i % 2) : nodes.get(1 - i % 2);
            String username = "soak_" + runId + "_r" + i;
            long t0 = System.nanoTime();
            try {
                node.h.api().register(username, "Soak Registration " + i);
                registered.add(username);
                ok("register", System.nanoTime() - t0);
            } catch (RuntimeException e) {
                count("register", kind(e), e);
            }
            pause(pauseMillis);
        }
    }

    private void meLoop() {
        long pauseMillis = settings.integer("mePauseMillis", 20);
        while (running) {
            Person p = people.get(ThreadLocalRandom.current().nextInt(people.size()));
            Cluster.Node node = nodeOf(p);
            long t0 = System.nanoTime();
            try {
                node.h.api().me(p.token, p.id);
                ok("me", System.nanoTime() - t0);
            } catch (RuntimeException e) {
                count("me", kind(e), e);
            }
            pause(pauseMillis);
        }
    }

    private void webhookLoop() {
        long pauseMillis = settings.integer("webhookPauseMillis", 1000);
        String pending = null;
        Person payer = null;
        long giveUpAt = Long.MAX_VALUE; // after the run, an unanswered event is delivered again for at most 60 s
        for (int i = 0; running || (pending != null && System.nanoTime() < giveUpAt); i++) {
            if (!running && giveUpAt == Long.MAX_VALUE) {
                giveUpAt = System.nanoTime() + 60_000_000_000L;
            }
            if (pending == null) {
                payer = people.get(ThreadLocalRandom.current().nextInt(people.size()));
                pending = WebhookScenario.purchase(stripe, "soak", payer.id, runId + "_" + i);
            }
            Cluster.Node node = nodes.get(i % 2).h.service().isAlive() ? nodes.get(i % 2) : nodes.get(1 - i % 2);
            long t0 = System.nanoTime();
            try {
                int status = new StripeWebhooks(node.h.service().baseUrl(), StripeStub.TEST_SECRET).deliver(pending);
                if (status / 100 == 2) {
                    payer.grants.addAndGet(PACK_CREDITS);
                    ok("webhook", System.nanoTime() - t0);
                    pending = null; // acknowledged: Stripe stops delivering it
                } else {
                    count("webhook", "HTTP " + status + " (delivered again)", null);
                }
            } catch (Exception e) {
                count("webhook", kind(e) + " (delivered again)", e);
            }
            pause(pending == null ? pauseMillis : 500);
        }
        if (pending != null) {
            count("webhook", "never answered 2xx (left out of the journal)", null);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ok(String op, long nanos) {
        interval.get(op).add(nanos);
        all.get(op).add(nanos);
        totals.get(op).incrementAndGet();
    }

    private void count(String op, String kind, Throwable e) {
        String key = op + ": " + kind;
        errors.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        if (e != null) {
            firstError.putIfAbsent(key, GraphQlClient.abbreviate(String.valueOf(e.getMessage())));
        }
        if (!kind.startsWith("moved")) {
            intervalErrors.incrementAndGet();
        }
    }

    private static final Pattern CODE = Pattern.compile("\"(?:code|classification|failureCode)\"\\s*:\\s*\"([A-Za-z_]+)\"");
    private static final Pattern TYPENAME = Pattern.compile("\"__typename\"\\s*:\\s*\"(\\w+)\"");

    /** The kind of a failed operation, as a client would tell it: transport, status, GraphQL code, typed answer. */
    static String kind(Throwable e) {
        String m = String.valueOf(e.getMessage());
        Matcher code = CODE.matcher(m);
        if (e instanceof java.net.ConnectException || m.contains("ConnectException") || m.contains("Connection refused")) {
            return "connection refused (node down)";
        }
        if (m.startsWith("HTTP request failed") || m.contains("header parser received no bytes") || m.contains("Connection reset")
                || e instanceof java.io.IOException) {
            return "connection closed without an answer (node killed mid-request)";
        }
        if (m.contains("HttpTimeoutException") || m.contains("timed out")) {
            return "client timeout";
        }
        if (m.startsWith("HTTP 5")) {
            boolean trace = m.contains("\tat ") || m.contains("Exception") || m.contains("net.kimik2");
            return "HTTP " + m.substring(5, 8) + (trace ? " WITH A STACK TRACE" : "");
        }
        if (m.startsWith("HTTP ")) {
            return "HTTP " + m.substring(5, Math.min(8, m.length()));
        }
        if (m.startsWith("GraphQL errors")) {
            return "GraphQL error " + (code.find() ? code.group(1) : "(no code)");
        }
        if (m.contains("promptStream")) {
            if (m.contains("final chunk") && code.find()) {
                return "stream ended with failureCode " + code.group(1);
            }
            if (m.contains("within") || m.contains("timeout") || m.contains("Timeout")) {
                return "stream timeout";
            }
            return "stream ended early";
        }
        if (m.contains("graphql-ws connect failed")) {
            return "socket connect failed";
        }
        Matcher type = TYPENAME.matcher(m);
        if (m.contains("answered") && type.find()) {
            return "typed " + type.group(1);
        }
        return e.getClass().getSimpleName() + ": " + m.substring(0, Math.min(60, m.length())).replaceAll("\\s+", " ");
    }

    // ---------------------------------------------------------------- faults

    private void injectFaults(Cluster cluster, Cluster.Node victim, long start, double total) {
        double pauseAt = total * settings.decimal("pauseAt", 0.35);
        double killAt = total * settings.decimal("killAt", 0.6);
        int pauseSeconds = settings.integer("pauseSeconds", 10);
        int restartAfter = settings.integer("restartAfterSeconds", 10);
        try {
            sleepUntil(start, pauseAt);
            if (!running) {
                return;
            }
            double t0 = (System.nanoTime() - start) / 1e9;
            cluster.postgres.pause();
            dbPaused = true;
            Thread.sleep(pauseSeconds * 1000L);
            cluster.postgres.resume();
            dbPaused = false;
            faults.add(new Fault("database paused (SIGSTOP) " + pauseSeconds + " s", t0, (System.nanoTime() - start) / 1e9));
            sleepUntil(start, killAt);
            if (!running) {
                return;
            }
            double t1 = (System.nanoTime() - start) / 1e9;
            victim.h.service().kill();
            Thread.sleep(restartAfter * 1000L);
            cluster.restart(victim);
            faults.add(new Fault("node 2 killed (SIGKILL), restarted after " + restartAfter + " s", t1,
                    (System.nanoTime() - start) / 1e9));
            report.detail("soak", "node 2 restart (launch to health UP) after the SIGKILL",
                    Report.seconds(victim.h.service().lastStartup().toNanos()));
        } catch (Exception e) {
            report.problem("soak: fault injection failed: " + e);
            try {
                cluster.postgres.resume();
            } catch (Exception ignored) {
                // already resumed or gone
            }
        }
    }

    private void sleepUntil(long start, double second) throws InterruptedException {
        while (running && (System.nanoTime() - start) / 1e9 < second) {
            Thread.sleep(200);
        }
    }

    // ---------------------------------------------------------------- samples

    private Sample sample(double t, Api sampler, String admin) {
        double[] heap = new double[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            heap[i] = nodes.get(i).h.service().isAlive() ? heapMiB(nodes.get(i).h.service().pid()) : Double.NaN;
        }
        double lag = Double.NaN;
        try {
            lag = sampler.viewProcessors(admin).values().stream()
                    .mapToDouble(p -> p.path("headPosition").asDouble() - p.path("position").asDouble(0)).max().orElse(0);
        } catch (RuntimeException e) {
            // the database paused or the node busy: no figure this interval
        }
        Map<String, double[]> ops = new TreeMap<>();
        for (String op : OPS) {
            List<Long> drained = new ArrayList<>();
            for (Long v; (v = interval.get(op).poll()) != null; ) {
                drained.add(v);
            }
            long[] sorted = Report.sorted(drained);
            ops.put(op, new double[] {sorted.length, Report.percentileMillis(sorted, 0.5),
                    Report.percentileMillis(sorted, 0.95), Report.percentileMillis(sorted, 0.99)});
        }
        return new Sample(t, DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)),
                load1(), heap, lag, ops, intervalErrors.getAndSet(0), nodes.get(1).h.service().isAlive(), dbPaused);
    }

    private static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** Heap used (survivors + eden + old) as {@code jstat -gc} reports it, in MiB. */
    private static double heapMiB(long pid) {
        try {
            String[] lines = Machine.run("jstat", "-gc", Long.toString(pid)).trim().split("\n");
            List<String> names = List.of(lines[0].trim().split("\\s+"));
            String[] values = lines[1].trim().split("\\s+");
            double kb = 0;
            for (String column : List.of("S0U", "S1U", "EU", "OU")) {
                kb += Double.parseDouble(values[names.indexOf(column)]);
            }
            return kb / 1024;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    // ---------------------------------------------------------------- outputs

    private void writeOutputs(List<Sample> samples, double minutes) throws Exception {
        Path dir = Path.of(settings.string("soakDir", "docs/benchmarks"));
        Files.createDirectories(dir);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC).format(Instant.now());
        String base = String.format(Locale.ROOT, "soak-%smin-%s", minutes == Math.rint(minutes)
                ? Long.toString((long) minutes) : Double.toString(minutes), stamp);
        StringBuilder csv = new StringBuilder("t_s,utc,load1,heap_node1_mib,heap_node2_mib,lag_events,errors,node2_up,db_paused");
        for (String op : OPS) {
            csv.append(',').append(op).append("_n,").append(op).append("_p50_ms,").append(op).append("_p95_ms,")
                    .append(op).append("_p99_ms");
        }
        csv.append('\n');
        for (Sample s : samples) {
            csv.append(String.format(Locale.ROOT, "%.0f,%s,%.2f,%s,%s,%s,%d,%b,%b", s.t(), s.utc(), s.load1(),
                    num(s.heapMiB()[0]), num(s.heapMiB()[1]), num(s.lag()), s.errors(), s.node2Up(), s.dbPaused()));
            for (String op : OPS) {
                double[] v = s.ops().get(op);
                csv.append(String.format(Locale.ROOT, ",%.0f,%s,%s,%s", v[0], num(v[1]), num(v[2]), num(v[3])));
            }
            csv.append('\n');
        }
        Path csvFile = dir.resolve(base + ".csv");
        Files.writeString(csvFile, csv);
        Path svg = dir.resolve(base + ".svg");
        SoakChart.write(svg, samples, faults, OPS, "Soak " + base.substring(5) + ": two nodes, PostgreSQL + external view store");
        report.detail("soak", "samples (every " + settings.integer("sampleSeconds", 10) + " s)", "`" + csvFile + "`, chart `" + svg + "`");
        double[] load = samples.stream().mapToDouble(Sample::load1).toArray();
        report.detail("soak", "machine load average (1 min) during the run, median (min - max)",
                Report.spread(load, v -> String.format(Locale.ROOT, "%.2f", v)));
        for (int n = 0; n < nodes.size(); n++) {
            int k = n;
            double[] heap = samples.stream().mapToDouble(s -> s.heapMiB()[k]).filter(v -> !Double.isNaN(v)).toArray();
            report.detail("soak", "heap used node " + (n + 1) + " (MiB), median (min - max); first / last sample",
                    Report.spread(heap, v -> String.format(Locale.ROOT, "%.0f", v)) + (heap.length == 0 ? ""
                            : String.format(Locale.ROOT, "; %.0f / %.0f", heap[0], heap[heap.length - 1])));
        }
        double[] lag = samples.stream().mapToDouble(Sample::lag).filter(v -> !Double.isNaN(v)).toArray();
        report.detail("soak", "view processor lag (events), median (min - max)", Report.spread(lag, v -> String.format(Locale.ROOT, "%.0f", v)));
        for (Fault f : faults) {
            report.detail("soak", "fault", String.format(Locale.ROOT, "%s: t=%.0f s to %.0f s", f.what(), f.from(), f.to()));
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.1f", v);
    }

    private void summarize(double wall) {
        for (String op : OPS) {
            long[] sorted = Report.sorted(all.get(op));
            report.row(new Report.Row("soak " + op, op + " over " + Math.round(wall) + " s, both nodes, with the faults",
                    sorted.length / wall, op + "/s", "operation (whole run)", Report.percentileMillis(sorted, 0.5),
                    Report.percentileMillis(sorted, 0.99), Double.NaN, sorted.length + " acknowledged; p95 "
                    + Report.millis(Report.percentileMillis(sorted, 0.95)) + ", max " + Report.millis(Report.percentileMillis(sorted, 1.0))));
        }
        StringBuilder kinds = new StringBuilder();
        new TreeMap<>(errors).forEach((k, v) -> kinds.append(kinds.length() == 0 ? "" : "; ").append(k).append(": ").append(v.get()));
        report.detail("soak", "errors by operation and kind", kinds.length() == 0 ? "none" : kinds.toString());
        new TreeMap<>(firstError).forEach((k, v) -> report.detail("soak", "first message of " + k, v));
        errors.keySet().stream().filter(k -> k.contains("STACK TRACE")).forEach(k ->
                report.problem("soak: " + k + " (" + errors.get(k).get() + ")"));
    }

    private void verify(Cluster.Node n1, String admin, long signup) throws Exception {
        Api api = n1.h.api();
        try {
            api.awaitViewsCaughtUp(admin, Duration.ofMinutes(5));
        } catch (Api.BenchFailure e) {
            report.problem("soak: " + e.getMessage());
        }
        // every acknowledged registration logs in
        int found = 0;
        List<String> lost = new ArrayList<>();
        for (String username : registered) {
            try {
                api.login(username, Api.PASSWORD);
                found++;
            } catch (RuntimeException e) {
                lost.add(username + " (" + kind(e) + ")");
            }
        }
        report.detail("soak", "acknowledged registrations that log in afterwards", found + " / " + registered.size()
                + (lost.isEmpty() ? "" : "; lost: " + lost.subList(0, Math.min(5, lost.size()))));
        if (!lost.isEmpty()) {
            report.problem("soak: " + lost.size() + " acknowledged registrations do not log in");
        }
        // the ledger: signup + acknowledged grants - costs of the prompts streamed to done
        int exact = 0;
        int certain = 0;
        StringBuilder uncertain = new StringBuilder();
        for (Person p : people) {
            long expected = signup + p.grants.get() - p.cost.get();
            if (!p.uncertain.get()) {
                certain++;
                try {
                    api.awaitBalance(p.token, expected, 0, Duration.ofSeconds(60));
                    exact++;
                } catch (Api.BenchFailure e) {
                    report.problem("soak: ledger of " + p.username + " (" + p.done.get() + " prompts, grants "
                            + p.grants.get() + "): expected " + expected + ": " + e.getMessage());
                }
            } else {
                JsonNode credits = api.me(p.token, p.id).path("credits");
                uncertain.append(uncertain.length() == 0 ? "" : "; ").append(String.format(Locale.ROOT,
                        "%s: available %d vs %d from the journal (%+d, an interrupted prompt's charge)",
                        p.username.substring(p.username.lastIndexOf('_') + 1), credits.path("available").asLong(),
                        expected, credits.path("available").asLong() - expected));
            }
        }
        report.detail("soak", "ledger: balance = signup + acknowledged grants - costs of prompts streamed to done",
                exact + " / " + certain + " people without an interrupted prompt exact"
                        + (uncertain.length() == 0 ? "" : "; people with an interrupted prompt: " + uncertain));
        long grants = people.stream().mapToLong(p -> p.grants.get()).sum() / PACK_CREDITS;
        report.detail("soak", "journal", registered.size() + " registrations, " + grants + " grants, "
                + people.stream().mapToInt(p -> p.done.get()).sum() + " prompts streamed to done, acknowledged");
        JsonNode check = api.client().data(CONSISTENCY, null, admin).path("runConsistencyCheck");
        report.detail("soak", "admin runConsistencyCheck (balances recomputed from the log vs the views)",
                check.path("balancesChecked").asLong() + " balances, " + check.path("eventsRead").asLong() + " events read, "
                        + check.path("differences").size() + " differences" + (check.path("differences").isEmpty() ? ""
                        : ": " + GraphQlClient.abbreviate(check.path("differences").toString())));
        if (!check.path("differences").isEmpty()) {
            report.problem("soak: the consistency check found " + check.path("differences").size() + " differences");
        }
    }
}
