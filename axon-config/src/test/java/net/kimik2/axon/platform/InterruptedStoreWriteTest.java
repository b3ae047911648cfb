package net.kimik2.axon.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Issue 11: a thread interrupted inside an H2 write (Axon's handler-timeout janitor did that) closed the NIO
 * channel of the database file, and H2 closed the whole event store ("The database has been closed") until a
 * restart. The application opens the store as {@code jdbc:h2:retry:...}, H2's file system that reopens a channel
 * closed by an interrupt. Here writers append events through Axon's JDBC storage engine in acknowledged
 * transactions (Spring's transaction manager over HikariCP, as in the application) while their threads are
 * interrupted over and over; the store must stay open, and every acknowledged event must be there afterwards, also
 * after the database was closed and opened again from its file.
 *
 * <p>The retry file system covers the file channel only. An interrupt that lands in the back-off sleep of MVStore's
 * map lock during a commit ({@code MVMap.tryLock}, "sleep interrupted") still made H2 close the store in about one
 * run in three; H2's maintainers do not consider MVStore interrupt-safe (h2database/h2database#1300). So the
 * application also wraps its H2 data sources in {@link InterruptShieldedDataSource}, which runs statements and
 * commits on threads nothing interrupts; the first test uses that wiring, the second shows the plain store breaking.
 */
class InterruptedStoreWriteTest {

    private static final String APP_URL_OPTIONS = ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    private static final long TORTURE_MILLIS = 3_000;
    private static final int WRITERS = 4;

    @Test
    void interruptedWritesNeverCloseTheRetryStoreAndLoseNothingAcknowledged(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:retry:" + dir.resolve("events") + APP_URL_OPTIONS;
        SoftAssertions softly = new SoftAssertions();
        Torture torture;
        Set<String> later = new HashSet<>();
        try (HikariDataSource pool = pool(url)) {
            Store store = new Store(pool, true);
            torture = torture(store);

            softly.assertThat(torture.closedErrors.size()).as(() -> "appends that failed saying the store was "
                    + "closed; the first:\n" + describe(torture.firstClosed.get())).isZero();
            // the interrupts landed inside writes, or this test proves nothing
            softly.assertThat(torture.interruptsInsideWrites.get()).as("interrupts sent inside appends")
                    .isGreaterThan(100);
            softly.assertThat(torture.acknowledged).as("acknowledged appends").hasSizeGreaterThan(100);

            // the same pool and engine go on working for uninterrupted writers
            List<String> laterFailures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                try {
                    later.add(store.append(i));
                } catch (Exception e) {
                    laterFailures.add(String.valueOf(e));
                }
            }
            softly.assertThat(laterFailures.size()).as(() -> "uninterrupted appends after the interrupts that "
                    + "failed (of 50); the first: " + laterFailures.get(0)).isZero();
            try {
                softly.assertThat(store.storedAggregateIds()).as("events read through the same pool")
                        .containsAll(torture.acknowledged).containsAll(later);
            } catch (Exception e) {
                softly.fail("reading through the same pool failed: " + e);
            }
        }
        // and everything acknowledged is in the file: open the database afresh (after a store was closed, H2's own
        // assertions, on under Surefire, can reject the file left behind, which opens with assertions off)
        try (HikariDataSource reopened = pool(url)) {
            Set<String> stored = new Store(reopened, true).storedAggregateIds();
            softly.assertThat(stored).as("events in the reopened database")
                    .containsAll(torture.acknowledged).containsAll(later);
        } catch (Exception | AssertionError e) {
            softly.fail("reopening the database failed: " + e);
        }
        softly.assertAll();
    }

    /**
     * The failure the fix is for, under the same treatment: with the plain {@code file:} URL the first interrupt
     * inside a write closes the database, and no later write through the same pool succeeds.
     */
    @Test
    void withThePlainFileUrlAnInterruptedWriteClosesTheStore(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("events") + APP_URL_OPTIONS;
        try (HikariDataSource pool = pool(url)) {
            Store store = new Store(pool, false);
            Torture torture = torture(store);

            assertThat(torture.closedErrors).as("errors saying the store was closed").isNotEmpty();
            int laterFailures = 0;
            for (int i = 0; i < 5; i++) {
                try {
                    store.append(i);
                } catch (Exception expected) {
                    laterFailures++;
                }
            }
            assertThat(laterFailures).as("uninterrupted appends after the interrupts that failed").isEqualTo(5);
        }
    }

    private static HikariDataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(WRITERS + 2);
        config.setConnectionTimeout(2_000);
        config.setPoolName("interrupted-store-write");
        return new HikariDataSource(config);
    }

    /** Axon's JDBC storage engine on the application's H2 tables, in Spring transactions over the pool. */
    private static final class Store {

        private final HikariDataSource pool;
        private final javax.sql.DataSource dataSource;
        private final JdbcEventStorageEngine engine;

        /** {@code asTheApplication}: shielded from interrupts exactly as the application wires its H2 stores. */
        Store(HikariDataSource pool, boolean asTheApplication) {
            this.pool = pool;
            this.dataSource = asTheApplication ? InterruptShieldConfiguration.shieldIfEmbeddedH2(pool) : pool;
            Serializer serializer = JacksonSerializer.defaultSerializer();
            this.engine = JdbcEventStorageEngine.builder()
                    .snapshotSerializer(serializer)
                    .eventSerializer(serializer)
                    .persistenceExceptionResolver(new DuplicateKeyResolver())
                    .connectionProvider(new SpringDataSourceConnectionProvider(dataSource))
                    .transactionManager(new SpringTransactionManager(new DataSourceTransactionManager(dataSource)))
                    .lowestGlobalSequence(1)
                    .build();
            SchemaMigrations.migrateEvents(dataSource);
        }

        /** Appends one event of a new aggregate in its own transaction; answers the aggregate id once committed. */
        String append(long n) {
            String aggregateId = UUID.randomUUID().toString();
            engine.appendEvents(new GenericDomainEventMessage<>("Probe", aggregateId, 0,
                    Map.of("n", n, "padding", "x".repeat(200))));
            return aggregateId;
        }

        String url() {
            return pool.getJdbcUrl();
        }

        Set<String> storedAggregateIds() throws Exception {
            Set<String> ids = new HashSet<>();
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select aggregateIdentifier from DomainEventEntry")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        }
    }

    private static final class Torture {
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final List<String> closedErrors = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger interrupts = new AtomicInteger();
        /** Interrupts sent while the writer was inside an append (between taking a connection and the commit). */
        final AtomicInteger interruptsInsideWrites = new AtomicInteger();
        final AtomicInteger failedAppends = new AtomicInteger();
        final AtomicLong counter = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> firstClosed = new AtomicReference<>();
    }

    /**
     * Appends one event per transaction, at most 20 (H2's retry file system swallows the interrupts it recovers
     * from, so a cancelled writer may well go on writing); an append that fails ends the writer.
     */
    private static final class Writer implements Runnable {

        private final Store store;
        private final Torture torture;
        volatile boolean appending;

        Writer(Store store, Torture torture) {
            this.store = store;
            this.torture = torture;
        }

        @Override
        public void run() {
            for (int i = 0; i < 20 && !torture.stop.get() && !Thread.currentThread().isInterrupted(); i++) {
                appending = true;
                try {
                    torture.acknowledged.add(store.append(torture.counter.incrementAndGet()));
                } catch (Exception e) {
                    torture.failedAppends.incrementAndGet();
                    if (saysClosed(e)) {
                        torture.firstClosed.compareAndSet(null, e);
                        torture.closedErrors.add(String.valueOf(e));
                    }
                    return;
                } finally {
                    appending = false;
                }
            }
        }
    }

    private record Running(Writer writer, Future<?> future) {
    }

    /**
     * {@link #WRITERS} writers append; for {@link #TORTURE_MILLIS} the main thread cancels a random writer with an
     * interrupt every few hundred microseconds and starts a new one in its place.
     */
    private static Torture torture(Store store) throws Exception {
        Torture torture = new Torture();
        ExecutorService threads = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Running> running = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                Writer writer = new Writer(store, torture);
                running.add(new Running(writer, threads.submit(writer)));
            }
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TORTURE_MILLIS);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (System.nanoTime() < end) {
                TimeUnit.MICROSECONDS.sleep(random.nextInt(100, 600));
                int slot = random.nextInt(running.size());
                Running victim = running.get(slot);
                boolean inside = victim.writer().appending;
                victim.future().cancel(true);
                torture.interrupts.incrementAndGet();
                if (inside) {
                    torture.interruptsInsideWrites.incrementAndGet();
                }
                Writer writer = new Writer(store, torture);
                running.set(slot, new Running(writer, threads.submit(writer)));
            }
        } finally {
            torture.stop.set(true);
            threads.shutdownNow();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).as(() -> "writers stopped; threads:\n"
                    + threadDump()).isTrue();
        }
        System.out.printf("%s: %d interrupts (%d inside an append), %d appends acknowledged, %d failed, "
                        + "%d said the store was closed%n", store.url(), torture.interrupts.get(),
                torture.interruptsInsideWrites.get(), torture.acknowledged.size(), torture.failedAppends.get(),
                torture.closedErrors.size());
        return torture;
    }

    /** The cause chain of a failure with the first frames of each cause, enough to tell where H2 gave up. */
    private static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            text.append(t == failure ? "" : "caused by: ").append(t).append('\n');
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(4, frames.length); i++) {
                text.append("    at ").append(frames[i]).append('\n');
            }
        }
        return text.toString();
    }

    private static String threadDump() {
        StringBuilder dump = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            dump.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
            for (StackTraceElement frame : stack) {
                dump.append("    at ").append(frame).append('\n');
            }
        });
        return dump.toString();
    }

    private static boolean saysClosed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // H2: 90098 "The database has been closed", 90121 "Database is already closed"
            if (t instanceof SQLException sql && (sql.getErrorCode() == 90098 || sql.getErrorCode() == 90121)) {
                return true;
            }
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("database has been closed") || message.contains("database is already closed")) {
                return true;
            }
        }
        return false;
    }
}
