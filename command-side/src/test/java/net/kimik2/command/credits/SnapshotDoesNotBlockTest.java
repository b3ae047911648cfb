package net.kimik2.command.credits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import net.kimik2.api.credits.CreditHold;
import net.kimik2.api.credits.CreditLedgerId;
import net.kimik2.api.credits.HoldCreditsCommand;
import net.kimik2.api.credits.OpenCreditLedgerCommand;
import net.kimik2.axon.platform.AggregateCacheConfiguration;
import net.kimik2.axon.platform.EventStoreConfiguration;
import net.kimik2.axon.platform.MessagingConfiguration;
import net.kimik2.axon.platform.SnapshotConfiguration;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 11: Axon's default snapshotter ran in the after-commit phase of the command that crossed the threshold, on
 * that command's thread, with the ledger still locked, and needed a second pool connection while the commands queued
 * on the ledger held all the others: one person's burst stalled the service until the pool timed out.
 *
 * <p>The real wiring: Spring Boot's and Axon's auto-configuration with the application's event store
 * ({@link EventStoreConfiguration}, Axon's JDBC engine on H2), snapshotter ({@link SnapshotConfiguration}), credit
 * ledger ({@link CreditsConfiguration}: snapshot trigger, cache) and db-scheduler's persistent deadlines, here with
 * a snapshot every 5 events and a pool of 4 connections whose wait times out only after 10 s. Bursts of 16
 * concurrent holds on one ledger must finish well inside that timeout, and the snapshots must still be stored.
 * With Axon's default snapshotter (snapshot on the committing thread) both tests fail on the pool timeout.
 */
@SpringBootTest(classes = SnapshotDoesNotBlockTest.Slice.class, properties = {
        "axon.axonserver.enabled=false",
        "axon.timeout.enabled=false",
        "axon.serializer.general=jackson",
        "axon.serializer.events=jackson",
        "axon.serializer.messages=jackson",
        "spring.datasource.url=jdbc:h2:mem:snapshot-does-not-block;DB_CLOSE_DELAY=-1",
        "spring.datasource.username=sa",
        "spring.datasource.password=",
        "spring.datasource.hikari.maximum-pool-size=" + SnapshotDoesNotBlockTest.POOL,
        "spring.datasource.hikari.connection-timeout=10000",
        "kimi.credits.snapshot-every=" + SnapshotDoesNotBlockTest.SNAPSHOT_EVERY,
        // hold expiry deadlines are persistent, in the event store's database, as in the application
        "db-scheduler.table-name=scheduled_tasks",
        "db-scheduler.polling-interval=5s",
        "db-scheduler.threads=2",
        "db-scheduler.delay-startup-until-context-ready=true",
        "db-scheduler.always-persist-timestamp-in-utc=true",
        "spring.autoconfigure.exclude="
                + "org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration,"
                + "org.springframework.boot.autoconfigure.data.mongo.MongoDataAutoConfiguration,"
                + "org.springframework.boot.autoconfigure.data.mongo.MongoRepositoriesAutoConfiguration"})
class SnapshotDoesNotBlockTest {

    static final int POOL = 4;
    static final int SNAPSHOT_EVERY = 5;
    private static final int BURST = 16;
    /** Far below the pool's 10 s timeout, which is what a stalled burst would wait for. */
    private static final Duration BOUND = Duration.ofSeconds(5);

    static {
        // as the application's main does: Axon does not phone home
        System.setProperty("axoniq.update-checker.disabled", "true");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({EventStoreConfiguration.class, SnapshotConfiguration.class, MessagingConfiguration.class,
            AggregateCacheConfiguration.class, CreditsConfiguration.class, CreditLedger.class})
    static class Slice {
    }

    @Autowired
    private CommandGateway commands;
    @Autowired
    private EventStore eventStore;
    @Autowired
    private ThreadPoolExecutor snapshotExecutor;
    @Autowired
    private DataSource dataSource;

    @Test
    void burstsOnOneLedgerWithFewerConnectionsThanCommandsFinishAndAreSnapshotted() throws Exception {
        String ledger = openLedger();

        for (int round = 0; round < 3; round++) {
            Duration took = burst(ledger, round);
            assertThat(took).as("burst %d of %d holds on one ledger, %d connections", round, BURST, POOL)
                    .isLessThan(BOUND);
        }
        // the bursts crossed the threshold several times: 2 opening events + 48 holds
        assertThat(eventStore.lastSequenceNumberFor(ledger)).hasValue(1L + 3 * BURST);
        assertThat(awaitSnapshot(ledger, Duration.ofSeconds(20))).as("snapshots stored").isPositive();
    }

    @Test
    void commandsDoNotWaitForASnapshotThatCannotRun() throws Exception {
        String ledger = openLedger();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        // the snapshotter's only thread is busy until released: any command waiting for a snapshot would hang
        snapshotExecutor.execute(() -> {
            blocking.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThat(blocking.await(5, TimeUnit.SECONDS)).isTrue();
            for (int round = 0; round < 2; round++) {
                Duration took = burst(ledger, round);
                assertThat(took).as("burst %d while no snapshot can be taken", round).isLessThan(BOUND);
            }
            assertThat(snapshotExecutor.getQueue()).as("snapshots waiting for the snapshotter").isNotEmpty();
            assertThat(snapshotCount(ledger)).as("snapshots stored while the snapshotter is blocked").isZero();
        } finally {
            release.countDown();
        }
        assertThat(awaitSnapshot(ledger, Duration.ofSeconds(20))).as("snapshots stored once released").isPositive();
    }

    private String openLedger() {
        String user = "u-" + UUID.randomUUID();
        String ledger = CreditLedgerId.forUser(user);
        commands.sendAndWait(new OpenCreditLedgerCommand(ledger, user, "signup-" + user, 1_000_000_000L));
        return ledger;
    }

    /** {@link #BURST} holds on one ledger from as many threads at once; answers how long until all were answered. */
    private Duration burst(String ledger, int round) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(BURST);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<CreditHold>> holds = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                String holdId = "hold-" + round + "-" + i;
                holds.add(threads.submit(() -> {
                    start.await();
                    return commands.<CreditHold>sendAndWait(new HoldCreditsCommand(ledger, holdId, 10, "c-" + holdId,
                            Instant.now().plus(Duration.ofMinutes(15))));
                }));
            }
            long t0 = System.nanoTime();
            start.countDown();
            for (Future<CreditHold> hold : holds) {
                // a stalled burst waits for the pool timeout (10 s) and more; do not wait for it forever
                assertThat(hold.get(30, TimeUnit.SECONDS).created()).isTrue();
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            System.out.printf("%s: burst %d of %d holds answered in %d ms%n", ledger, round, BURST, took.toMillis());
            return took;
        } finally {
            threads.shutdownNow();
        }
    }

    private long snapshotCount(String ledger) {
        Long n = new JdbcTemplate(dataSource).queryForObject(
                "select count(*) from SnapshotEventEntry where aggregateIdentifier = ?", Long.class, ledger);
        return n == null ? 0 : n;
    }

    private long awaitSnapshot(String ledger, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long n = snapshotCount(ledger);
        while (n == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            n = snapshotCount(ledger);
        }
        return n;
    }
}
