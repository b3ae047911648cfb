package net.kimik2.axon.platform;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodeSignals} over PostgreSQL LISTEN/NOTIFY on one channel, each on a dedicated connection of its own (not
 * from the pool): one thread sends in order, one listens with {@code getNotifications(timeout)} and reconnects after
 * a failure. A notification is {@code topic|sender|body}, at most {@value #MAX_PAYLOAD} bytes (PostgreSQL's limit is
 * 8000). Signals lost while the listening connection was down are reported to {@link #onGap} receivers, which drop
 * what they cached; the caches' own expiry stays the backstop.
 */
public final class PostgresNodeSignals implements NodeSignals, AutoCloseable {

    public static final int MAX_PAYLOAD = 7900;
    private static final String CHANNEL = "kimi_signals";
    private static final Logger log = LoggerFactory.getLogger(PostgresNodeSignals.class);

    private final String url;
    private final String user;
    private final String password;
    private final String nodeId;
    private final Map<String, List<Consumer<String>>> receivers = new ConcurrentHashMap<>();
    private final List<Runnable> gapReceivers = new CopyOnWriteArrayList<>();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> daemon(r, "node-signals-send"));
    private final Thread listener;
    private volatile boolean running = true;
    private Connection sending;

    public PostgresNodeSignals(String url, String user, String password, String nodeId) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.nodeId = nodeId;
        this.listener = daemon(this::listen, "node-signals-listen");
        listener.start();
    }

    @Override
    public void publish(String topic, String body) {
        publish(topic, body, false);
    }

    @Override
    public void publishNow(String topic, String body) {
        publish(topic, body, true);
    }

    private void publish(String topic, String body, boolean now) {
        String payload = topic + "|" + nodeId + "|" + body;
        if (payload.getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("signal on " + topic + " exceeds " + MAX_PAYLOAD + " bytes");
        }
        Runnable send = () -> sender.execute(() -> send(payload));
        if (!now && CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(u -> send.run()); // receivers must see the committed change
        } else {
            send.run();
        }
    }

    @Override
    public void subscribe(String topic, Consumer<String> receiver) {
        receivers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(receiver);
    }

    @Override
    public void onGap(Runnable receiver) {
        gapReceivers.add(receiver);
    }

    @Override
    public boolean distributed() {
        return true;
    }

    private void send(String payload) {
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                if (sending == null || sending.isClosed()) {
                    sending = connect();
                }
                try (var statement = sending.prepareStatement("SELECT pg_notify(?, ?)")) {
                    statement.setString(1, CHANNEL);
                    statement.setString(2, payload);
                    statement.execute();
                }
                return;
            } catch (SQLException e) {
                closeQuietly(sending);
                sending = null;
                if (attempt == 2) {
                    log.warn("node signal not sent ({}); other nodes rely on their cache expiry", e.getSQLState());
                }
            }
        }
    }

    private void listen() {
        boolean connectedBefore = false;
        while (running) {
            Connection connection = null;
            try {
                connection = connect();
                try (var statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                if (connectedBefore) {
                    log.info("node signals: listening again; dropping caches that may have missed signals");
                    gapReceivers.forEach(PostgresNodeSignals::runQuietly);
                }
                connectedBefore = true;
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(500);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            dispatch(n.getParameter());
                        }
                    }
                }
            } catch (SQLException e) {
                if (running) {
                    log.warn("node signals: listening connection lost ({}), reconnecting", e.getSQLState());
                    sleep(1000);
                }
            } finally {
                closeQuietly(connection);
            }
        }
    }

    private void dispatch(String payload) {
        int first = payload.indexOf('|');
        int second = first < 0 ? -1 : payload.indexOf('|', first + 1);
        if (second < 0 || payload.substring(first + 1, second).equals(nodeId)) {
            return; // malformed, or our own
        }
        List<Consumer<String>> list = receivers.get(payload.substring(0, first));
        if (list != null) {
            String body = payload.substring(second + 1);
            list.forEach(r -> runQuietly(() -> r.accept(body)));
        }
    }

    private Connection connect() throws SQLException {
        Connection connection = DriverManager.getConnection(url, user, password);
        connection.setAutoCommit(true);
        return connection;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sender.shutdown();
        sender.awaitTermination(2, TimeUnit.SECONDS);
        listener.join(2000);
        closeQuietly(sending);
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("node signal receiver failed: {}", e.getClass().getSimpleName());
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already gone
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
