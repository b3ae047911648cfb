package net.kimik2.testsupport.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stores an end-to-end test's services run on, chosen by the system property {@code kimi.it.backend}:
 * {@code embedded} (the default: H2 files and the embedded view store in the data directory) or {@code postgres}
 * (one {@link EmbeddedPostgresServer} and one {@link MongoWireServer} per test JVM, started on first use and stopped
 * at JVM exit). The same tests thereby run on both, unchanged except that they create services here.
 *
 * <p>On {@code postgres} every data directory has its own event database, key-vault database, MongoDB database and
 * KEK, all derived from (or kept next to) the data directory, so a service restarted on the same data directory
 * finds its data again, as an operator's restarted node would.
 */
public abstract sealed class ServiceBackend permits ServiceBackend.Embedded, ServiceBackend.Postgres {

    public static final String PROPERTY = "kimi.it.backend";

    private static ServiceBackend current;

    /** The backend of this test JVM ({@value #PROPERTY}: {@code embedded} by default, or {@code postgres}). */
    public static synchronized ServiceBackend current() {
        if (current == null) {
            String name = System.getProperty(PROPERTY, "embedded");
            current = switch (name) {
                case "embedded" -> new Embedded();
                case "postgres" -> new Postgres();
                default -> throw new IllegalArgumentException(PROPERTY + " must be embedded or postgres: " + name);
            };
        }
        return current;
    }

    /** A service on {@code dataDir} with the caller's settings, on the stores of this JVM's backend. */
    public static ServiceProcess service(Path dataDir, Map<String, String> env) throws Exception {
        return current().create(dataDir, env);
    }

    public abstract String name();

    /** A not yet started service; the caller's settings win over the backend's. */
    public abstract ServiceProcess create(Path dataDir, Map<String, String> env) throws Exception;

    /**
     * Every file that holds the stopped service's data at rest, for tests that scan for clear text: the data
     * directory, and on {@code postgres} its two databases' files, the write-ahead log and the view store's file.
     */
    public abstract List<Path> storeFiles(Path dataDir) throws Exception;

    /** A JDBC connection to the (stopped) service's {@code events} or {@code vault} store. */
    public abstract Connection connect(Path dataDir, String store) throws Exception;

    /** The MongoDB URI (with the database) of the running service's views. */
    public abstract String viewStoreUri(ServiceProcess service) throws Exception;

    // ---------------------------------------------------------------- embedded

    static final class Embedded extends ServiceBackend {

        private static final Pattern EMBEDDED_VIEW_STORE =
                Pattern.compile("embedded MongoDB-compatible view store on /?([0-9.]+:[0-9]+)");

        @Override
        public String name() {
            return "embedded";
        }

        @Override
        public ServiceProcess create(Path dataDir, Map<String, String> env) {
            return new ServiceProcess(dataDir, env);
        }

        @Override
        public List<Path> storeFiles(Path dataDir) throws IOException {
            return regularFiles(dataDir);
        }

        @Override
        public Connection connect(Path dataDir, String store) throws SQLException {
            String user = store.equals("events") ? "sa" : ""; // the vault is opened without a user name
            return DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve(store) + ";ACCESS_MODE_DATA=r",
                    user, "");
        }

        /** The embedded view store binds a free port and logs it at start; the last start's line counts. */
        @Override
        public String viewStoreUri(ServiceProcess service) throws IOException {
            Matcher m = EMBEDDED_VIEW_STORE.matcher(service.log());
            String address = null;
            while (m.find()) {
                address = m.group(1);
            }
            if (address == null) {
                throw new IllegalStateException("no view store address in " + service.logFile());
            }
            return "mongodb://" + address + "/kimi";
        }
    }

    // ---------------------------------------------------------------- postgres

    static final class Postgres extends ServiceBackend {

        private EmbeddedPostgresServer postgres;
        private MongoWireServer mongo;
        private Path root;

        @Override
        public String name() {
            return "postgres";
        }

        /** Starts both servers once; they stop when the test JVM exits. */
        private synchronized void ensureStarted() throws Exception {
            if (postgres != null) {
                return;
            }
            root = Files.createTempDirectory("kimi-it-postgres-");
            // a small WAL: checkpoints come often, and a scan of pg_wal for clear text stays short. No fsync: the
            // tests kill services, never this server, and a commit survives a killed client without it (the end-to-end
            // run on a shared 2-core machine is otherwise dominated by fsync waits)
            postgres = EmbeddedPostgresServer.start(root.resolve("postgres"), Map.of("max_wal_size", "96MB",
                    "min_wal_size", "32MB", "fsync", "off"));
            mongo = MongoWireServer.start(root.resolve("mongo"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    mongo.close();
                    postgres.close();
                    deleteTree(root);
                } catch (Exception e) {
                    System.err.println("stopping the test PostgreSQL / view store failed: " + e);
                }
            }, "kimi-it-postgres-stop"));
        }

        @Override
        public synchronized ServiceProcess create(Path dataDir, Map<String, String> env) throws Exception {
            ensureStarted();
            String name = databaseName(dataDir);
            createDatabaseIfMissing(name + "_events");
            createDatabaseIfMissing(name + "_vault");
            Map<String, String> all = new HashMap<>(postgres.serviceEnvironment(name + "_events", name + "_vault"));
            all.put("SPRING_DATA_MONGODB_URI", mongo.uri(name));
            // Boot takes spring.data.mongodb.database (set to kimi in application.yml) over the URI's database name
            all.put("SPRING_DATA_MONGODB_DATABASE", name);
            all.put("KIMI_KEK", kek(dataDir));
            all.putAll(env);
            return new ServiceProcess(dataDir, all);
        }

        private void createDatabaseIfMissing(String database) throws Exception {
            try (Connection c = postgres.connect("postgres");
                 PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            postgres.createDatabase(database);
        }

        /** The data directory's KEK, made once and kept next to it so that a restart decrypts what it wrote. */
        private static String kek(Path dataDir) throws IOException {
            Path file = dataDir.resolveSibling(dataDir.getFileName() + ".kek");
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            String kek = Base64.getEncoder().encodeToString(key);
            Files.createDirectories(file.getParent());
            Files.writeString(file, kek);
            return kek;
        }

        @Override
        public synchronized List<Path> storeFiles(Path dataDir) throws Exception {
            ensureStarted();
            String name = databaseName(dataDir);
            List<Path> files = new ArrayList<>(regularFiles(dataDir));
            Path pgData = postgres.dataDirectory();
            try (Connection c = postgres.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("CHECKPOINT"); // the pages of every commit into the database files, not only the WAL
                for (String db : List.of(name + "_events", name + "_vault")) {
                    try (ResultSet rs = s.executeQuery("SELECT oid FROM pg_database WHERE datname = '" + db + "'")) {
                        if (rs.next()) {
                            files.addAll(regularFiles(pgData.resolve("base").resolve(rs.getString(1))));
                        }
                    }
                }
            }
            files.addAll(regularFiles(pgData.resolve("pg_wal")));
            files.addAll(regularFiles(pgData.resolve("global")));
            // the view store's MVStore commits in the background about once a second
            Thread.sleep(2_000);
            files.add(mongo.dataFile());
            return files;
        }

        @Override
        public Connection connect(Path dataDir, String store) throws Exception {
            ensureStarted();
            return postgres.connect(databaseName(dataDir) + "_" + store);
        }

        @Override
        public String viewStoreUri(ServiceProcess service) throws Exception {
            ensureStarted();
            return mongo.uri(databaseName(service.dataDir()));
        }

        /** kimi_ and 12 hex digits of the data directory's absolute path: fixed across restarts, unique per test. */
        static String databaseName(Path dataDir) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                        dataDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
                return "kimi_" + HexFormat.of().formatHex(digest, 0, 6);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // ---------------------------------------------------------------- files

    static List<Path> regularFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
