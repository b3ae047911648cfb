package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.accounts.UserLoggedInEvent;
import net.kimik2.api.conversations.AnswerRecordedEvent;
import net.kimik2.api.conversations.ConversationStartedEvent;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import net.kimik2.api.conversations.TokenUsage;
import net.kimik2.api.credits.BucketDraw;
import net.kimik2.api.credits.CreditLedgerId;
import net.kimik2.api.credits.CreditLedgerOpenedEvent;
import net.kimik2.api.credits.CreditsCapturedEvent;
import net.kimik2.api.credits.CreditsGrantedEvent;
import net.kimik2.api.credits.CreditsHeldEvent;
import net.kimik2.api.credits.CreditsReleasedEvent;
import net.kimik2.api.credits.GrantType;
import net.kimik2.api.credits.ReleaseCode;
import net.kimik2.shredding.privacy.FieldCipher;
import net.kimik2.bench.Api.BenchFailure;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.MetaData;
import org.bson.Document;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Replay of ALL views of the packaged service (embedded default) with decryption, issue 11.
 *
 * <ol>
 *   <li>{@link Generator} (run in its own JVM with the service jar's classes, like {@link LedgerEventGenerator})
 *   boots the service's own context on a fresh data directory and appends a synthetic history through its
 *   {@link EventStore} (EncryptingSerializer: personal fields encrypted, keys minted per person and conversation):
 *   per user AccountRegistered, UserLoggedIn, CreditLedgerOpened, CreditsGranted; per conversation
 *   ConversationStarted; per prompt CreditsHeld, PromptSubmitted, AnswerRecorded, CreditsCaptured;</li>
 *   <li>starts the packaged service on that directory (env {@code KIMI_BENCH_SERVICE_JVM_ARGS} adds JVM flags),
 *   waits until its view processors have built the views once (the "initial build", reported, not counted);</li>
 *   <li>runs {@code rounds} replays of every view processor ({@code replayViews} over GraphQL as admin), each timed
 *   from the mutation to the moment every processor is caught up at the head position ({@code viewProcessors}
 *   polled every 50 ms), events/s = events in the store / wall time; optional JFR recording of the rounds
 *   ({@code jfr=<file>}, via jcmd);</li>
 *   <li>stops the service and checks the views directly in its view store file: document counts of every view,
 *   sample balances, personal fields stored encrypted.</li>
 * </ol>
 *
 * <p>Settings ({@code key=value}): {@code users} (2000), {@code conversations} per user (2), {@code prompts} per
 * conversation (3), {@code rounds} (5), {@code heap} (2g), {@code jar} (app/target/kimi-backend.jar), {@code jfr}
 * (none), {@code keepData} (false), {@code data} (reuse a data directory a previous run generated and kept).
 */
public final class ViewReplayBench {

    static final long SIGNUP = 500_000;
    static final long COST = 1_234;
    static final String[] VIEWS = Generator.VIEWS;
    private ViewReplayBench() {
    }

    public static void main(String[] args) throws Exception {
        Settings s = Settings.parse(args);
        int users = s.integer("users", 2000);
        int convs = s.integer("conversations", 2);
        int prompts = s.integer("prompts", 3);
        int rounds = s.integer("rounds", 5);
        Path jar = Path.of(s.string("jar", "app/target/kimi-backend.jar")).toAbsolutePath();
        String heap = s.string("heap", "2g");
        String adminPassword = "bench-admin-" + UUID.randomUUID();
        Path logDir = Files.isDirectory(Path.of("bench/target")) ? Path.of("bench/target") : Path.of("/tmp");
        long stamp = System.currentTimeMillis();
        System.out.println("view replay bench: " + String.join(" ", args) + "; machine: " + Machine.cpuModel() + ", nproc "
                + Runtime.getRuntime().availableProcessors());

        Path dataDir;
        String reuse = s.string("data", null);
        if (reuse != null) {
            dataDir = Path.of(reuse);
            adminPassword = Files.readString(dataDir.resolve("bench-admin-password")).trim();
        } else {
            dataDir = Files.createTempDirectory("kimi-view-replay-data-");
            Files.writeString(dataDir.resolve("bench-admin-password"), adminPassword);
            generate(jar, dataDir, adminPassword, users, convs, prompts, logDir.resolve("view-replay-" + stamp + ".generator.log"));
        }

        Path logFile = logDir.resolve("view-replay-" + stamp + ".service.log");
        List<Double> rates = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        long head;
        try (ServiceProcess service = new ServiceProcess(dataDir, Map.of("KIMI_ADMIN_PASSWORD", adminPassword))
                .jar(jar).jvmArgs(List.of("-Xmx" + heap, "-Daxoniq.update-checker.disabled=true")).log(logFile)
                .privateJarCopy().embeddedDefaultsOnly().startupTimeout(Duration.ofMinutes(5)).start()) {
            System.out.println("service log: " + logFile + ", data: " + dataDir);
            Api api = new Api(new GraphQlClient(java.net.URI.create(service.baseUrl()), Duration.ofSeconds(60)));
            Duration up = service.lastStartup();
            String admin = api.login("admin", adminPassword);
            long t0 = System.nanoTime();
            CpuWatch initialCpu = CpuWatch.start(service.pid(), ProcessHandle.current().pid());
            head = awaitDone(api, admin, t0, Duration.ofMinutes(30));
            System.out.printf(Locale.ROOT, "healthy after %.1f s; views built %.1f s after that (%d events; %s)%n",
                    up.toMillis() / 1e3, (System.nanoTime() - t0) / 1e9, head, initialCpu.summary());
            String jfr = s.string("jfr", null);
            if (jfr != null) {
                jcmd(service.pid(), "JFR.start", "name=replay", "settings=profile", "filename=" + Path.of(jfr).toAbsolutePath());
            }
            for (int r = 1; r <= rounds; r++) {
                CpuWatch cpu = CpuWatch.start(service.pid(), ProcessHandle.current().pid());
                long start = System.nanoTime();
                api.replay(admin, Arrays.asList(VIEWS));
                long atHead = awaitDone(api, admin, start, Duration.ofMinutes(30));
                double secs = (System.nanoTime() - start) / 1e9;
                double eps = atHead / secs;
                rates.add(eps);
                String line = String.format(Locale.ROOT, "round %d: %d events in %.2f s = %.0f events/s (%s)", r, atHead,
                        secs, eps, cpu.summary());
                lines.add(line);
                System.out.println(line);
            }
            if (jfr != null) {
                jcmd(service.pid(), "JFR.stop", "name=replay");
            }
            int exit = service.stop();
            System.out.println("service stopped: exit " + exit + " after " + service.lastStopMillis() + " ms; log: "
                    + ServiceLog.summarize(logFile));
        }
        checkViews(dataDir, users, convs, prompts);
        double[] v = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length > 0) {
            double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            System.out.printf(Locale.ROOT, "replay of all %d views, %d events, %d rounds: median %.0f events/s (min %.0f, max %.0f)%n",
                    VIEWS.length, head, v.length, median, v[0], v[v.length - 1]);
        }
        if (!s.flag("keepData", false) && reuse == null) {
            CryptoStack.deleteTree(dataDir);
        } else {
            System.out.println("data kept: " + dataDir);
        }
    }

    private static void generate(Path jar, Path dataDir, String adminPassword, int users, int convs, int prompts, Path log)
            throws Exception {
        Path genDir = Files.createTempDirectory("kimi-bench-gen-");
        for (Class<?> c : List.of(ViewReplayBench.class, Generator.class)) {
            Path classFile = genDir.resolve(c.getName().replace('.', '/') + ".class");
            Files.createDirectories(classFile.getParent());
            try (var in = c.getResourceAsStream(c.getName().substring(c.getPackageName().length() + 1) + ".class")) {
                Files.copy(in, classFile);
            }
        }
        Path jarCopy = Files.copy(jar, genDir.resolve("kimi-backend.jar"));
        List<String> command = List.of(ServiceProcess.javaExecutable(), "-Xmx2g", "-Daxoniq.update-checker.disabled=true",
                "-Dloader.path=" + genDir, "-Dloader.main=" + Generator.class.getName(),
                "-cp", jarCopy.toString(), "org.springframework.boot.loader.launch.PropertiesLauncher",
                Integer.toString(users), Integer.toString(convs), Integer.toString(prompts));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        for (String key : List.of("SPRING_PROFILES_ACTIVE", "SPRING_DATA_MONGODB_URI", "KIMI_MODEL_BASE_URL",
                "KIMI_MODEL_API_KEY", "KIMI_KEK")) {
            pb.environment().remove(key);
        }
        pb.environment().put("KIMI_DATA_DIR", dataDir.toString());
        pb.environment().put("KIMI_ADMIN_PASSWORD", adminPassword);
        long t0 = System.nanoTime();
        Process gen = pb.start();
        if (!gen.waitFor(60, TimeUnit.MINUTES) || gen.exitValue() != 0) {
            gen.destroyForcibly().waitFor();
            throw new BenchFailure("generator failed; see " + log);
        }
        List<String> out = Files.readAllLines(log);
        System.out.printf(Locale.ROOT, "generator done in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9,
                out.isEmpty() ? "" : out.get(out.size() - 1));
        CryptoStack.deleteTree(genDir);
    }

    /** Waits until every view processor is caught up at the head (Api's rule); answers the head position. */
    private static long awaitDone(Api api, String admin, long startNanos, Duration limit) throws InterruptedException {
        long deadline = startNanos + limit.toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(50);
            Map<String, JsonNode> processors = api.viewProcessors(admin);
            for (JsonNode p : processors.values()) {
                if (!p.path("error").isNull() && !p.path("error").isMissingNode()) {
                    throw new BenchFailure("processor in error: " + p);
                }
            }
            if (processors.size() == VIEWS.length && processors.values().stream().allMatch(Api::caughtUp)) {
                return processors.values().stream().mapToLong(p -> p.path("headPosition").asLong(0)).max().orElse(0);
            }
        }
        throw new BenchFailure("views not caught up within " + limit);
    }

    private static void jcmd(long pid, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        System.out.println("jcmd " + String.join(" ", args) + ": " + out.trim().replace('\n', ' '));
    }

    /** Opens the stopped service's view store and checks every view against what the generator wrote. */
    private static void checkViews(Path dataDir, int users, int convs, int prompts) {
        MongoServer server = new MongoServer(new H2Backend(dataDir.resolve("views.mv.db").toString()));
        server.bind("127.0.0.1", 0);
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + server.getLocalAddress().getPort())) {
            MongoDatabase db = client.getDatabase("kimi");
            long accounts = db.getCollection("accounts_account").countDocuments();
            long balances = db.getCollection("credits_balance").countDocuments();
            long ledger = db.getCollection("credits_ledger_entry").countDocuments();
            long conversations = db.getCollection("conversations_conversation").countDocuments();
            long messages = db.getCollection("conversations_message").countDocuments();
            long p = (long) users * convs * prompts;
            // the admin may add an account, a balance and its signup grant
            expect("accounts", accounts, users + 1);
            expect("balances", balances, users, users + 1);
            expect("ledger entries", ledger, users + 3 * p, users + 1 + 3 * p);
            expect("conversations", conversations, (long) users * convs);
            expect("messages", messages, 2 * p);
            for (int i : new int[] {0, users / 2, users - 1}) {
                String userId = Generator.userId(i);
                Document b = db.getCollection("credits_balance").find(Filters.eq("_id", userId)).first();
                long expected = SIGNUP - (long) convs * prompts * COST;
                if (b == null || b.getLong("available") != expected || b.getLong("held") != 0) {
                    throw new BenchFailure("balance of user " + i + " is " + b + ", expected available " + expected);
                }
                Document a = db.getCollection("accounts_account").find(Filters.eq("_id", userId)).first();
                if (a == null || !FieldCipher.isEnvelope(a.getString("email")) || !FieldCipher.isEnvelope(a.getString("name"))) {
                    throw new BenchFailure("account view of user " + i + " missing or not encrypted");
                }
                Document m = db.getCollection("conversations_message").find(Filters.eq("userId", userId)).first();
                if (m == null || !FieldCipher.isEnvelope(m.getString("content"))) {
                    throw new BenchFailure("message view of user " + i + " missing or not encrypted");
                }
            }
            System.out.printf(Locale.ROOT, "views checked: %d accounts, %d balances, %d ledger entries, %d conversations, "
                    + "%d messages; sampled balances exact, personal fields encrypted%n", accounts, balances, ledger,
                    conversations, messages);
        } finally {
            server.shutdownNow();
        }
    }

    private static void expect(String what, long actual, long... expected) {
        if (Arrays.stream(expected).noneMatch(e -> e == actual)) {
            throw new BenchFailure(what + ": " + actual + " documents, expected " + Arrays.toString(expected));
        }
    }

    /**
     * Appends the synthetic history through the service's own context and event store (the production serializer
     * chain), with the streaming processors shut down. Arguments: users, conversations per user, prompts per
     * conversation.
     */
    public static final class Generator {

        /** Here, not in the outer class: the generator runs in the service jar, where only its own class is loaded. */
        static final String[] VIEWS = {"accounts-account", "credits-balance", "credits-ledger", "privacy-erasure-requests",
            "conversations-conversation"};


        private Generator() {
        }

        static String userId(int i) {
            return UUID.nameUUIDFromBytes(("view-replay-user-" + i).getBytes(StandardCharsets.UTF_8)).toString();
        }

        public static void main(String[] args) throws Exception {
            int users = Integer.parseInt(args[0]);
            int convs = Integer.parseInt(args[1]);
            int prompts = Integer.parseInt(args[2]);
            System.setProperty("axoniq.update-checker.disabled", "true");
            Class<?> app = Class.forName("net.kimik2.app.KimiBackendApplication");
            try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(app)
                    .properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off")
                    .run()) {
                ctx.getBean(EventProcessingConfiguration.class).eventProcessors().values().stream()
                        .filter(StreamingEventProcessor.class::isInstance)
                        .forEach(p -> p.shutdownAsync().join());
                EventStore store = ctx.getBean(EventStore.class);
                // an Argon2id-shaped hash (login is not part of the bench, the event's size is)
                String hash = "$argon2id$v=19$m=16384,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
                long t1 = System.nanoTime();
                long total = 0;
                List<EventMessage<?>> chunk = new ArrayList<>();
                Instant t = Instant.parse("2026-11-01T00:00:00Z");
                for (int i = 0; i < users; i++) {
                    total += user(chunk, i, convs, prompts, hash, t.plusSeconds(i * 60L));
                    if (chunk.size() >= 1000) {
                        store.publish(chunk);
                        chunk = new ArrayList<>();
                    }
                }
                if (!chunk.isEmpty()) {
                    store.publish(chunk);
                }
                double secs = (System.nanoTime() - t1) / 1e9;
                // policies (signup credits, erasure, key shredding) must not act on the synthetic history after the
                // restart: their tokens move to the head; the view processors build their views from it
                List<String> views = Arrays.asList(VIEWS);
                ctx.getBean(EventProcessingConfiguration.class).eventProcessors().forEach((name, p) -> {
                    if (p instanceof StreamingEventProcessor sp && !views.contains(name)) {
                        sp.resetTokens(source -> source.createHeadToken());
                    }
                });
                System.out.printf(Locale.ROOT, "generator: appended %d events in %.1f s (%.0f events/s)%n", total, secs,
                        total / secs);
            }
        }

        private static int user(List<EventMessage<?>> out, int i, int convs, int prompts, String hash, Instant t) {
            String userId = userId(i);
            String ledgerId = CreditLedgerId.forUser(userId);
            MetaData meta = MetaData.with("actorId", userId).and("actorRole", "USER");
            int n = 0;
            long ledgerSeq = 0;
            out.add(domain("Account", userId, 0, new AccountRegisteredEvent(userId,
                    String.format(Locale.ROOT, "Replay User %06d", i),
                    String.format(Locale.ROOT, "replay.user.%06d@example.invalid", i),
                    String.format(Locale.ROOT, "replay_user_%06d", i), hash, "2026-01", Role.USER, t), meta));
            out.add(domain("Account", userId, 1, new UserLoggedInEvent(userId, UUID.randomUUID().toString(), t,
                    t.plusSeconds(7L * 86400)), meta));
            out.add(domain("CreditLedger", ledgerId, ledgerSeq++, new CreditLedgerOpenedEvent(ledgerId, userId, t), meta));
            String grantId = "signup-" + userId;
            out.add(domain("CreditLedger", ledgerId, ledgerSeq++, new CreditsGrantedEvent(ledgerId, userId, grantId, SIGNUP,
                    GrantType.PROMOTIONAL, "signup", 10, t, t.plusSeconds(30L * 86400)), meta));
            n += 4;
            for (int c = 0; c < convs; c++) {
                String conversationId = UUID.nameUUIDFromBytes((userId + "/c" + c).getBytes(StandardCharsets.UTF_8)).toString();
                long convSeq = 0;
                Instant ct = t.plusSeconds(c * 10L);
                out.add(domain("Conversation", conversationId, convSeq++, new ConversationStartedEvent(conversationId, userId,
                        "Question about topic " + c + " of user " + i, ct), meta));
                n++;
                String parent = null;
                for (int p = 0; p < prompts; p++) {
                    String promptId = UUID.nameUUIDFromBytes((conversationId + "/p" + p).getBytes(StandardCharsets.UTF_8)).toString();
                    String holdId = promptId;
                    Instant pt = ct.plusSeconds(p);
                    long held = 20_000;
                    out.add(domain("CreditLedger", ledgerId, ledgerSeq++, new CreditsHeldEvent(ledgerId, userId, holdId, held,
                            promptId, pt, pt.plusSeconds(900)), meta));
                    String userMsg = promptId + ":user";
                    out.add(domain("Conversation", conversationId, convSeq++, new PromptSubmittedEvent(conversationId, userId,
                            promptId, userMsg, parent, ("Please explain point " + p + " in some detail; ").repeat(4),
                            "kimi-k2", 64, held, pt), meta));
                    String answerMsg = promptId + ":assistant";
                    out.add(domain("Conversation", conversationId, convSeq++, new AnswerRecordedEvent(conversationId, userId,
                            promptId, answerMsg, userMsg, ("Here is an answer with some words in it, number " + p + ". ").repeat(8),
                            "kimi-k2", "offline:kimi-k2", "stop", new TokenUsage(120, 0, 64, COST, "2026-01", false),
                            pt.plusMillis(500)), MetaData.with("actorId", "system")));
                    // settlement as CreditLedger does it: the whole hold released, then the actual cost captured
                    out.add(domain("CreditLedger", ledgerId, ledgerSeq++, new CreditsReleasedEvent(ledgerId, userId, holdId,
                            held, ReleaseCode.SETTLED, pt.plusMillis(600)), MetaData.with("actorId", "system")));
                    out.add(domain("CreditLedger", ledgerId, ledgerSeq++, new CreditsCapturedEvent(ledgerId, userId, holdId,
                            COST, List.of(new BucketDraw(grantId, COST)), 0, pt.plusMillis(600)), MetaData.with("actorId", "system")));
                    parent = answerMsg;
                    n += 5;
                }
            }
            return n;
        }

        private static EventMessage<?> domain(String type, String id, long seq, Object payload, MetaData meta) {
            String correlation = UUID.randomUUID().toString();
            return new GenericDomainEventMessage<>(type, id, seq, payload,
                    meta.and("correlationId", correlation).and("traceId", correlation));
        }
    }
}
