package net.kimik2.testsupport.platform;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A MongoDB wire-compatible server (mongo-java-server, H2 file backend) in a JVM process of its own, so that services
 * reach their view store only by {@code SPRING_DATA_MONGODB_URI}, as they would a real MongoDB. No MongoDB binary can
 * be installed on this machine; the service's external-URI code path is the one exercised.
 *
 * <p>The child runs {@link #main} on this JVM's class path (which holds mongo-java-server through test-support).
 */
public final class MongoWireServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;
    private final Path dataFile;

    private MongoWireServer(Process process, int port, Path log, Path dataFile) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.dataFile = dataFile;
    }

    /** Starts the server on a free port with its data in {@code dir}; waits until it accepts connections. */
    public static MongoWireServer start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = ServiceProcess.freePort();
        Path log = dir.resolve("mongo-wire-server.log");
        Path dataFile = dir.resolve("views.mv.db");
        List<String> cmd = new ArrayList<>(List.of(ServiceProcess.javaExecutable(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), MongoWireServer.class.getName(),
                Integer.toString(port), dataFile.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("view store exited with " + p.exitValue() + "; log: " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new MongoWireServer(p, port, log, dataFile);
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("view store not listening within 30 s; log: " + log);
    }

    /** The URI a service is given as {@code SPRING_DATA_MONGODB_URI}. */
    public String uri(String database) {
        return "mongodb://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** The H2 (MVStore) file that holds every database of this server. */
    public Path dataFile() {
        return dataFile;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** The child's entry point: {@code <port> <h2 file>}. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        H2Backend backend = new H2Backend(new File(args[1]).getAbsolutePath());
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
        System.out.println("mongo-java-server listening on 127.0.0.1:" + port + ", data " + args[1]);
        Thread.currentThread().join();
    }
}
