package net.kimik2.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.accounts.UserLoggedInEvent;
import net.kimik2.api.credits.CreditLedgerOpenedEvent;
import net.kimik2.api.credits.CreditsGrantedEvent;
import net.kimik2.api.credits.GrantType;
import net.kimik2.shredding.privacy.FieldCipher;
import org.axonframework.common.jdbc.DataSourceConnectionProvider;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.jdbc.AbstractEventTableFactory;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.bson.Document;

/**
 * Replay with and without crypto-shredding, in one JVM, over the same events.
 *
 * <p>Two Axon {@link JdbcEventStorageEngine}s on H2 files (the production engine settings: lowest global sequence
 * 1, batch size 1000, H2 identity DDL, BLOB payloads): store A written through the {@code EncryptingSerializer},
 * store B through the plain {@code JacksonSerializer}, with the same event sequence. Each replay then reads its
 * whole store ({@code readEvents(null, false)}), deserialises every payload, and hands every event to a handler
 * shaped like the production projections: the account view (username, name, email encrypted under the user's key
 * with {@link FieldCipher} in the encrypted variant, after a {@code DataKeys.isErased} check), the balance view
 * ($inc per grant), written as one ordered bulk write per 200-event batch (the processors' batch size) into an
 * embedded mongo-java-server (H2 backend, as in the service), plus a token document per batch. The encrypted
 * replay starts with a cold key cache (a new DataKeys over the same vault), like a restarted service.
 *
 * <p>Not included: Axon's processor machinery (unit of work, token claim and update in the token store, handler
 * interceptors, segment logic) - the same for both variants - and query-update emission.
 */
public final class ReplayBench {

    private static final int BATCH = 200;

    private final Map<String, String> settings;
    private final int users;
    private final int rounds;
    private final Path work;
    private Path vaultDir;
    private final int keyCache;
    private final boolean prewarmKeys;
    private String vaultKek;

    private ReplayBench(Map<String, String> settings) throws IOException {
        this.settings = settings;
        this.users = Integer.parseInt(settings.getOrDefault("users", "20000"));
        this.rounds = Integer.parseInt(settings.getOrDefault("rounds", "9"));
        this.work = Files.createTempDirectory("kimi-replay-bench-");
        // production: 10000 entries, 60 s TTL, cold at the start of a replay
        this.keyCache = Integer.parseInt(settings.getOrDefault("keyCache", "10000"));
        this.prewarmKeys = Boolean.parseBoolean(settings.getOrDefault("prewarmKeys", "false"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> s = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            s.put(a.substring(0, eq), a.substring(eq + 1));
        }
        new ReplayBench(s).run();
    }

    /** The synthetic history of one user: 5 events, one of them personal (as at sign-up + one login + one grant). */
    private static List<DomainEventMessage<?>> userEvents(int i, Instant t) {
        String userId = UUID.nameUUIDFromBytes(("user-" + i).getBytes(StandardCharsets.UTF_8)).toString();
        String ledgerId = "ledger-" + userId;
        String name = String.format(Locale.ROOT, "Bench User %06d", i);
        AccountRegisteredEvent registered = new AccountRegisteredEvent(userId, name,
                String.format(Locale.ROOT, "bench.user.%06d@example.invalid", i),
                String.format(Locale.ROOT, "bench_user_%06d", i),
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
                "2026-01", Role.USER, t);
        List<DomainEventMessage<?>> out = new ArrayList<>(5);
        out.add(new GenericDomainEventMessage<>("Account", userId, 0, registered));
        out.add(new GenericDomainEventMessage<>("CreditLedger", ledgerId, 0, new CreditLedgerOpenedEvent(ledgerId, userId, t)));
        out.add(new GenericDomainEventMessage<>("CreditLedger", ledgerId, 1, new CreditsGrantedEvent(ledgerId, userId,
                "signup-" + userId, 500_000, GrantType.PROMOTIONAL, "signup", 10, t, t.plusSeconds(30L * 86400))));
        out.add(new GenericDomainEventMessage<>("Account", userId, 1,
                new UserLoggedInEvent(userId, UUID.randomUUID().toString(), t, t.plusSeconds(7L * 86400))));
        out.add(new GenericDomainEventMessage<>("CreditLedger", ledgerId, 2, new CreditsGrantedEvent(ledgerId, userId,
                "admin-" + userId, 100_000, GrantType.PROMOTIONAL, "admin", 5, t, null)));
        return out;
    }

    private static final class Store implements AutoCloseable {
        final HikariDataSource ds;
        final JdbcEventStorageEngine engine;

        Store(Path file, Serializer serializer) throws Exception {
            HikariConfig c = new HikariConfig();
            c.setJdbcUrl("jdbc:h2:file:" + file + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
            c.setUsername("sa");
            c.setPassword("");
            c.setMaximumPoolSize(4);
            c.setPoolName("events-" + file.getFileName());
            ds = new HikariDataSource(c);
            engine = JdbcEventStorageEngine.builder()
                    .connectionProvider(new DataSourceConnectionProvider(ds))
                    .transactionManager(NoTransactionManager.INSTANCE)
                    .eventSerializer(serializer)
                    .snapshotSerializer(serializer)
                    .lowestGlobalSequence(1)
                    .batchSize(1000)
                    .build();
            engine.createSchema(new AbstractEventTableFactory() {
                @Override
                protected String idColumnType() {
                    return "BIGINT GENERATED BY DEFAULT AS IDENTITY (START WITH 1 INCREMENT BY 1)";
                }

                @Override
                protected String payloadType() {
                    return "BLOB";
                }
            });
        }

        @Override
        public void close() {
            ds.close();
        }
    }

    private void run() throws Exception {
        System.out.printf("replay bench: %d users x 5 events = %d events, %d rounds, work dir %s%n",
                users, users * 5, rounds, work);
        System.out.println("machine: " + Machine.cpuModel() + ", nproc " + Runtime.getRuntime().availableProcessors());
        CryptoStack writeStack = CryptoStack.create("kimi-replay-vault-");
        vaultDir = writeStack.dir;
        vaultKek = writeStack.kek;
        Path fileA = work.resolve("events-encrypted");
        Path fileB = work.resolve("events-plain");
        Instant t0 = Instant.parse("2026-11-01T00:00:00Z");
        long totalEvents = (long) users * 5;
        String[] writeFigures = new String[2];
        try (Store a = new Store(fileA, writeStack.encrypting); Store b = new Store(fileB, writeStack.jackson)) {
            int k = 0;
            for (Store s : new Store[] {a, b}) {
                long start = System.nanoTime();
                List<EventMessage<?>> batch = new ArrayList<>(1000);
                for (int i = 0; i < users; i++) {
                    batch.addAll(userEvents(i, t0.plusSeconds(i)));
                    if (batch.size() >= 1000) {
                        s.engine.appendEvents(batch);
                        batch.clear();
                    }
                }
                if (!batch.isEmpty()) {
                    s.engine.appendEvents(batch);
                }
                double secs = (System.nanoTime() - start) / 1e9;
                writeFigures[k++] = String.format(Locale.ROOT, "%.1f s (%.0f events/s)", secs, totalEvents / secs);
            }
        }
        System.out.printf("written: encrypted store %s, plain store %s; files %s / %s%n", writeFigures[0], writeFigures[1],
                mib(dbSize(fileA)), mib(dbSize(fileB)));
        writeStack.close();

        List<double[]> results = new ArrayList<>(); // {encrypted events/s, plain events/s}
        List<String> cpu = new ArrayList<>();
        long pid = ProcessHandle.current().pid();
        int warmup = Integer.parseInt(settings.getOrDefault("warmup", "1"));
        for (int w = 0; w < warmup; w++) { // JIT warm-up of both paths, not counted
            System.out.printf("warm-up %d: encrypted %.0f events/s, plain %.0f events/s (not counted)%n", w + 1,
                    replay(fileA, true, totalEvents, 100 + w), replay(fileB, false, totalEvents, 100 + w));
        }
        for (int r = 0; r < rounds; r++) {
            boolean encryptedFirst = r % 2 == 0;
            double enc = 0;
            double plain = 0;
            for (int leg = 0; leg < 2; leg++) {
                boolean encrypted = (leg == 0) == encryptedFirst;
                CpuWatch watch = CpuWatch.start(pid);
                double eps = replay(encrypted ? fileA : fileB, encrypted, totalEvents, r);
                String c = watch.summary();
                cpu.add((encrypted ? "encrypted" : "plain") + " round " + (r + 1) + ": " + c);
                System.out.printf("round %d %s: %.0f events/s (%s)%n", r + 1, encrypted ? "encrypted" : "plain", eps, c);
                if (encrypted) {
                    enc = eps;
                } else {
                    plain = eps;
                }
            }
            results.add(new double[] {enc, plain});
        }
        report(results, cpu, writeFigures, dbSize(fileA), dbSize(fileB), totalEvents);
        CryptoStack.deleteTree(work);
        CryptoStack.deleteTree(writeStack.dir);
    }

    /** One full replay of a store into fresh views; answers events/s over the whole replay (read + handle + write). */
    private double replay(Path storeFile, boolean encrypted, long expected, int round) throws Exception {
        // the replay's own key cache starts cold: a new DataKeys over the vault the writer used
        CryptoStack stack = encrypted ? CryptoStack.open(vaultDir, vaultKek, keyCache) : null;
        if (encrypted && prewarmKeys) { // optional: take the key loads (vault read + unwrap) out of the timed window
            for (int i = 0; i < users; i++) {
                stack.keys.forDecryption("user:" + UUID.nameUUIDFromBytes(("user-" + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
        Serializer serializer = encrypted ? stack.encrypting : CryptoStack.jackson(CryptoStack.objectMapper());
        Path mongoFile = work.resolve("views-" + (encrypted ? "enc" : "plain") + "-" + round + ".mv.db");
        MongoServer server = new MongoServer(new H2Backend(mongoFile.toString()));
        server.bind("127.0.0.1", 0);
        var address = server.getLocalAddress();
        long count = 0;
        long start;
        double secs;
        try (Store store = new Store(storeFile, serializer);
             MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + address.getPort())) {
            MongoDatabase db = client.getDatabase("kimi");
            MongoCollection<Document> accounts = db.getCollection("accounts_account");
            MongoCollection<Document> balances = db.getCollection("credits_balance");
            MongoCollection<Document> tokens = db.getCollection("tracking_tokens");
            accounts.insertOne(new Document("_id", "warm")); // create collections outside the timed window
            balances.insertOne(new Document("_id", "warm"));
            tokens.insertOne(new Document("_id", "warm"));
            start = System.nanoTime();
            List<WriteModel<Document>> accountWrites = new ArrayList<>();
            List<WriteModel<Document>> balanceWrites = new ArrayList<>();
            int inBatch = 0;
            long lastIndex = 0;
            try (Stream<? extends TrackedEventMessage<?>> stream = store.engine.readEvents((TrackingToken) null, false)) {
                var it = stream.iterator();
                while (it.hasNext()) {
                    TrackedEventMessage<?> m = it.next();
                    Object payload = m.getPayload();
                    if (payload instanceof AccountRegisteredEvent e) {
                        String scope = "user:" + e.userId();
                        Document doc;
                        if (encrypted) {
                            if (stack.keys.isErased(scope)) {
                                continue;
                            }
                            doc = new Document("_id", e.userId())
                                    .append("username", stack.cipher.encryptString(scope, e.userId(), "username", e.username()))
                                    .append("name", stack.cipher.encryptString(scope, e.userId(), "name", e.name()))
                                    .append("email", stack.cipher.encryptString(scope, e.userId(), "email", e.email()));
                        } else {
                            doc = new Document("_id", e.userId()).append("username", e.username())
                                    .append("name", e.name()).append("email", e.email());
                        }
                        doc.append("role", e.role().name()).append("createdAt", Date.from(e.registeredAt()));
                        accountWrites.add(new ReplaceOneModel<>(Filters.eq("_id", e.userId()), doc,
                                new ReplaceOptions().upsert(true)));
                    } else if (payload instanceof CreditLedgerOpenedEvent e) {
                        balanceWrites.add(new UpdateOneModel<>(Filters.eq("_id", e.userId()),
                                Updates.combine(Updates.setOnInsert("available", 0L), Updates.set("ledgerId", e.ledgerId())),
                                new UpdateOptions().upsert(true)));
                    } else if (payload instanceof CreditsGrantedEvent e) {
                        balanceWrites.add(new UpdateOneModel<>(Filters.eq("_id", e.userId()),
                                Updates.inc("available", e.amount()), new UpdateOptions().upsert(true)));
                    } else if (!(payload instanceof UserLoggedInEvent)) {
                        throw new IllegalStateException("unexpected " + payload);
                    }
                    count++;
                    lastIndex = m.trackingToken().position().orElse(lastIndex);
                    if (++inBatch == BATCH) {
                        flush(accounts, balances, tokens, accountWrites, balanceWrites, lastIndex);
                        inBatch = 0;
                    }
                }
            }
            flush(accounts, balances, tokens, accountWrites, balanceWrites, lastIndex);
            secs = (System.nanoTime() - start) / 1e9;
            long docs = accounts.countDocuments() - 1;
            if (count != expected || docs != expected / 5) {
                throw new IllegalStateException("replayed " + count + " events into " + docs + " account documents, expected "
                        + expected + " / " + expected / 5);
            }
            if (encrypted) {
                Document sample = accounts.find(Filters.ne("_id", "warm")).first();
                if (!FieldCipher.isEnvelope(sample.getString("email"))) {
                    throw new IllegalStateException("encrypted replay wrote a clear email");
                }
                System.out.printf("  key cache: %.0f hits, %.0f misses%n",
                        stack.counter("kimi.privacy.key.cache", "result", "hit"),
                        stack.counter("kimi.privacy.key.cache", "result", "miss"));
            }
        } finally {
            server.shutdownNow();
            if (stack != null) {
                stack.close();
            }
            Files.deleteIfExists(mongoFile);
        }
        return count / secs;
    }

    private static void flush(MongoCollection<Document> accounts, MongoCollection<Document> balances,
                              MongoCollection<Document> tokens, List<WriteModel<Document>> accountWrites,
                              List<WriteModel<Document>> balanceWrites, long lastIndex) {
        BulkWriteOptions ordered = new BulkWriteOptions().ordered(true);
        if (!accountWrites.isEmpty()) {
            accounts.bulkWrite(accountWrites, ordered);
            accountWrites.clear();
        }
        if (!balanceWrites.isEmpty()) {
            balances.bulkWrite(balanceWrites, ordered);
            balanceWrites.clear();
        }
        tokens.replaceOne(Filters.eq("_id", "replay-bench"), new Document("_id", "replay-bench").append("index", lastIndex),
                new ReplaceOptions().upsert(true));
    }

    private static long dbSize(Path file) throws IOException {
        Path f = file.resolveSibling(file.getFileName() + ".mv.db");
        return Files.exists(f) ? Files.size(f) : -1;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private void report(List<double[]> results, List<String> cpu, String[] writeFigures, long sizeA, long sizeB,
                        long events) throws IOException {
        int n = results.size();
        double[] enc = new double[n];
        double[] plain = new double[n];
        double[] ratio = new double[n];
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < n; i++) {
            enc[i] = results.get(i)[0];
            plain[i] = results.get(i)[1];
            ratio[i] = enc[i] / plain[i];
            rows.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.0f | %.3f |%n", i + 1,
                    i % 2 == 0 ? "encrypted, plain" : "plain, encrypted", enc[i], plain[i], ratio[i]));
        }
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC).withNano(0));
        StringBuilder md = new StringBuilder();
        md.append("\n### Replay bench run ").append(now).append("\n\n");
        md.append("- command: `").append(System.getProperty("bench.command", "ReplayBench")).append("`\n");
        md.append("- ").append(events).append(" events (").append(users).append(" users x 5: AccountRegistered, ")
                .append("CreditLedgerOpened, CreditsGranted, UserLoggedIn, CreditsGranted); write: encrypted store ")
                .append(writeFigures[0]).append(", plain store ").append(writeFigures[1]).append("; H2 files ")
                .append(mib(sizeA)).append(" encrypted, ").append(mib(sizeB)).append(" plain\n");
        md.append("- machine: nproc ").append(Runtime.getRuntime().availableProcessors()).append(", ")
                .append(Machine.cpuModel()).append(", ").append(Machine.freeMemLine()).append(", java ")
                .append(System.getProperty("java.vm.version")).append(", max heap ")
                .append(Runtime.getRuntime().maxMemory() / 1048576).append(" MiB\n\n");
        md.append("Each replay: read all events from the H2 store, deserialise every payload, project into mongo-java-server ")
                .append("(200-event ordered bulk writes + token document per batch); the encrypted variant decrypts the ")
                .append("personal fields of events and re-encrypts the view fields, with a cold key cache. ")
                .append(settings.getOrDefault("warmup", "1")).append(" uncounted warm-up replay(s) of each store first. ")
                .append("Key cache: ").append(keyCache).append(" entries, 60 s TTL, ")
                .append(prewarmKeys ? "pre-loaded with every user's key before the timed window (key loads excluded)"
                        : "cold at the start of each replay (one vault read + unwrap per user included)").append(".\n\n");
        md.append("| round | order | encrypted events/s | plain events/s | ratio encrypted/plain |\n|---|---|---|---|---|\n");
        md.append(rows);
        md.append(String.format(Locale.ROOT, "| median | | %.0f (%.0f-%.0f) | %.0f (%.0f-%.0f) | %.3f (%.3f-%.3f) |%n",
                median(enc), min(enc), max(enc), median(plain), min(plain), max(plain), median(ratio), min(ratio), max(ratio)));
        md.append("\nCPU per replay (this JVM vs other processes):\n");
        for (String c : cpu) {
            md.append("- ").append(c).append('\n');
        }
        System.out.print(md);
        if (!"false".equals(settings.getOrDefault("append", "true"))) {
            Files.writeString(Path.of(settings.getOrDefault("out", "docs/benchmarks.md")), md.toString(),
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }
}
