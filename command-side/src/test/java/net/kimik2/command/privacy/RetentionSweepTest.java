package net.kimik2.command.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import net.kimik2.api.accounts.DeviceRecordedEvent;
import net.kimik2.api.conversations.ConversationStartedEvent;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import net.kimik2.api.privacy.DataExportRequestedEvent;
import net.kimik2.api.privacy.FindRetentionRunsQuery;
import net.kimik2.api.privacy.LegalHoldPlacedEvent;
import net.kimik2.api.privacy.LegalHoldReleasedEvent;
import net.kimik2.api.privacy.RetentionRunView;
import net.kimik2.api.payments.PaymentFulfilledEvent;
import net.kimik2.api.payments.PaymentKind;
import net.kimik2.command.accounts.SessionRetention;
import net.kimik2.command.payments.BillingRecordRetention;
import net.kimik2.command.testsupport.H2;
import net.kimik2.shredding.privacy.DataKeys;
import net.kimik2.shredding.privacy.EncryptedFiles;
import net.kimik2.shredding.privacy.FieldCipher;
import net.kimik2.shredding.privacy.KeyVault;
import net.kimik2.shredding.privacy.LocalKeyEncryptionService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The retention rules on real stores (H2 as the embedded command side, the real key vault): the clock is moved past
 * each period in turn and exactly the expected key scopes are shredded; a legal hold keeps a person's data; a
 * "restart" (new sweep, new rule and key objects over the same databases) while a run is due loses no run.
 */
class RetentionSweepTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);

    @TempDir
    Path exports;

    private final JdbcTemplate jdbc = new JdbcTemplate(H2.newDatabase());
    private final LocalKeyEncryptionService kes = new LocalKeyEncryptionService(List.of(randomKek()));
    private final String vaultUrl = "jdbc:h2:mem:vault-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private final MutableClock clock = new MutableClock(T0);

    /** Everything a running service holds in memory; rebuilt by {@link #restart()}. */
    private DataKeys keys;
    private RetentionSweep sweep;
    private LegalHolds holds;
    private ConversationRetention conversations;
    private DeviceRecordRetention devices;
    private DataExportProcess exportProcess;

    private void start() {
        keys = new DataKeys(new KeyVault(vaultUrl, null, null, kes), kes, new SimpleMeterRegistry(), 100, Duration.ofMinutes(5));
        holds = new LegalHolds(jdbc);
        conversations = new ConversationRetention(jdbc, keys, Duration.ofDays(365));
        devices = new DeviceRecordRetention(jdbc, keys, Duration.ofDays(90));
        exportProcess = new DataExportProcess(jdbc, new EncryptedFiles(keys), keys, List.of(), exports, Duration.ofHours(24), clock);
        sweep = new RetentionSweep(jdbc, List.of(conversations, devices, exportProcess, new SessionRetention(jdbc)),
                holds, clock, DAY, Duration.ofMinutes(1));
    }

    private void restart() {
        start();
    }

    @Test
    void eachRuleShredsExactlyItsScopesAfterItsPeriodExceptUnderALegalHoldAndARestartLosesNoRun() throws Exception {
        jdbc.execute("CREATE TABLE IF NOT EXISTS account_session (session_id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) "
                + "NOT NULL, role VARCHAR(16) NOT NULL, expires_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP)");
        start();
        for (String person : List.of("alice", "bob")) {
            // a conversation idle since T0 and one active at T0 + 300 days
            conversations.on(new ConversationStartedEvent("old-" + person, person, "title", T0));
            conversations.on(new ConversationStartedEvent("new-" + person, person, "title", T0));
            conversations.on(new PromptSubmittedEvent("new-" + person, person, "p", "m", null, "hi", "model", 10, 1,
                    T0.plus(Duration.ofDays(300))));
            // a device record at T0 and one at T0 + 80 days
            devices.on(new DeviceRecordedEvent("s-old-" + person, person, "desktop", "Linux", "Firefox", "10.0.0.1", false, T0));
            devices.on(new DeviceRecordedEvent("s-new-" + person, person, "mobile", "iOS", "Safari", "10.0.0.2", true,
                    T0.plus(Duration.ofDays(80))));
            // an export ready at T0 (link valid 24 h) and a session expiring at T0 + 7 days
            exportProcess.on(new DataExportRequestedEvent(person, "x-" + person, T0));
            jdbc.update("INSERT INTO account_session (session_id, user_id, role, expires_at) VALUES (?, ?, 'USER', ?)",
                    "s-old-" + person, person, Timestamp.from(T0.plus(Duration.ofDays(7))));
            for (String scope : List.of("conversation:old-", "conversation:new-", "device:s-old-", "device:s-new-")) {
                keys.forEncryption(scope + person, person);
            }
        }
        assertThat(Files.exists(exports.resolve("x-alice.zip.enc"))).isTrue();
        holds.on(new LegalHoldPlacedEvent("bob", "litigation 2026-17", "admin-1", T0));

        clock.set(T0.plus(Duration.ofHours(1)));
        assertThat(sweep.runIfDue()).as("the first run").isTrue();
        assertThat(sweep.runIfDue()).as("not due again within the interval").isFalse();
        assertThat(shredded()).isEmpty();

        clock.set(T0.plus(Duration.ofDays(2)));
        assertThat(sweep.runIfDue()).isTrue();
        assertThat(shredded()).containsExactly("export:x-alice");
        assertThat(Files.exists(exports.resolve("x-alice.zip.enc"))).isFalse();
        assertThat(Files.exists(exports.resolve("x-bob.zip.enc"))).as("held").isTrue();

        // the service is down while the next run falls due; the restarted one runs it at once, once
        restart();
        clock.set(T0.plus(Duration.ofDays(10)));
        assertThat(sweep.runIfDue()).as("the run missed while down").isTrue();
        assertThat(sweep.runIfDue()).isFalse();
        assertThat(jdbc.queryForList("SELECT session_id FROM account_session", String.class)).containsExactly("s-old-bob");
        assertThat(shredded()).containsExactly("export:x-alice");

        clock.set(T0.plus(Duration.ofDays(91)));
        assertThat(sweep.runIfDue()).isTrue();
        assertThat(shredded()).containsExactly("device:s-old-alice", "export:x-alice");

        clock.set(T0.plus(Duration.ofDays(366)));
        assertThat(sweep.runIfDue()).isTrue();
        assertThat(shredded()).containsExactly("conversation:old-alice", "device:s-new-alice", "device:s-old-alice",
                "export:x-alice");

        // the hold ends: bob's data older than its periods goes at the next run
        holds.on(new LegalHoldReleasedEvent("bob", "admin-1", T0.plus(Duration.ofDays(366))));
        clock.set(T0.plus(Duration.ofDays(367)));
        assertThat(sweep.runIfDue()).isTrue();
        assertThat(shredded()).containsExactly("conversation:old-alice", "conversation:old-bob", "device:s-new-alice",
                "device:s-new-bob", "device:s-old-alice", "device:s-old-bob", "export:x-alice", "export:x-bob");
        assertThat(jdbc.queryForList("SELECT session_id FROM account_session", String.class)).isEmpty();

        List<RetentionRunView> runs = sweep.handle(new FindRetentionRunsQuery(100));
        assertThat(runs).hasSize(6);
        RetentionRunView last = runs.get(0);
        assertThat(last.counts()).containsEntry("conversations", 1).containsEntry("deviceRecords", 2)
                .containsEntry("exports", 1).containsEntry("sessions", 1);
        assertThat(runs.get(1).heldPersons()).isEqualTo(1);
        assertThat(runs.get(3).counts()).as("the run after the restart").containsEntry("sessions", 1);
    }

    @Test
    void billingRecordsLoseExactlyTheirCardAfterTenYearsExceptUnderALegalHold() {
        start();
        BillingRecordRetention billing = new BillingRecordRetention(jdbc, keys, Duration.ofDays(3650));
        RetentionSweep billingSweep = new RetentionSweep(jdbc, List.of(billing), holds, clock, DAY, Duration.ofMinutes(1));
        FieldCipher cipher = new FieldCipher(keys, new SimpleMeterRegistry());
        java.util.Map<String, String> cards = new java.util.TreeMap<>();
        for (String person : List.of("alice", "bob", "carol")) {
            // a purchase at T0 and one at T0 + 100 days, each card under the payment's own key (as the event store does)
            for (String which : List.of("old", "new")) {
                String paymentId = "payment-pi_" + which + "-" + person;
                Instant at = which.equals("old") ? T0 : T0.plus(Duration.ofDays(100));
                billing.on(new PaymentFulfilledEvent(paymentId, person, PaymentKind.PACK, "pack-5", paymentId, 5_000,
                        500, "eur", null, "cs_" + person, "visa", "4242", at));
                billing.on(new PaymentFulfilledEvent(paymentId, person, PaymentKind.PACK, "pack-5", paymentId, 5_000,
                        500, "eur", null, "cs_" + person, "visa", "4242", at)); // redelivered: still one record
                cards.put("payment:" + paymentId, cipher.encryptString("payment:" + paymentId, person, "cardLast4", "4242"));
            }
        }
        holds.on(new LegalHoldPlacedEvent("bob", "tax audit", "admin-1", T0));

        clock.set(T0.plus(Duration.ofDays(3649)));
        assertThat(billingSweep.runIfDue()).isTrue();
        assertThat(readable(cipher, cards)).as("nothing is due before ten years").isEqualTo(cards.keySet());

        clock.set(T0.plus(Duration.ofDays(3651)));
        assertThat(billingSweep.runIfDue()).isTrue();
        assertThat(readable(cipher, cards)).containsExactly("payment:payment-pi_new-alice", "payment:payment-pi_new-bob",
                "payment:payment-pi_new-carol", "payment:payment-pi_old-bob");
        assertThat(keys.isErased("user:alice")).as("the account itself is untouched").isFalse();

        clock.set(T0.plus(Duration.ofDays(3653)));
        assertThat(billingSweep.runIfDue()).as("idempotent: nothing more is due").isTrue();
        assertThat(readable(cipher, cards)).hasSize(4);

        List<RetentionRunView> runs = billingSweep.handle(new FindRetentionRunsQuery(10));
        assertThat(runs).hasSize(3);
        assertThat(runs.get(0).counts()).containsEntry("billingRecords", 0);
        assertThat(runs.get(1).counts()).containsEntry("billingRecords", 2);
        assertThat(runs.get(1).heldPersons()).isEqualTo(1);
        assertThat(runs.get(2).counts()).containsEntry("billingRecords", 0);
    }

    /** The payment scopes whose card can still be read. */
    private static Set<String> readable(FieldCipher cipher, java.util.Map<String, String> cards) {
        Set<String> readable = new TreeSet<>();
        cards.forEach((scope, envelope) -> cipher.decryptString(scope, "cardLast4", envelope)
                .filter("4242"::equals).ifPresent(v -> readable.add(scope)));
        return readable;
    }

    private Set<String> shredded() {
        Set<String> erased = new TreeSet<>();
        for (String person : List.of("alice", "bob")) {
            for (String scope : List.of("conversation:old-", "conversation:new-", "device:s-old-", "device:s-new-",
                    "export:x-")) {
                if (keys.isErased(scope + person)) {
                    erased.add(scope + person);
                }
            }
        }
        return erased;
    }

    private static String randomKek() {
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        return Base64.getEncoder().encodeToString(kek);
    }

    /** The injected clock, moved by the test. */
    /** Two nodes share the schedule: each due sweep is run by exactly one of them, however close their checks. */
    @Test
    void twoNodesCheckingAtOnceRunEachDueSweepOnce() throws Exception {
        start();
        RetentionSweep one = new RetentionSweep(jdbc, List.of(conversations, devices), holds, clock, DAY,
                Duration.ofMinutes(1));
        RetentionSweep other = new RetentionSweep(jdbc, List.of(conversations, devices), new LegalHolds(jdbc), clock,
                DAY, Duration.ofMinutes(1));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            int rounds = 20;
            int ran = 0;
            for (int i = 1; i <= rounds; i++) {
                clock.set(T0.plus(DAY.multipliedBy(i)).plusSeconds(1));
                var go = new java.util.concurrent.CountDownLatch(1);
                var a = pool.submit(() -> { go.await(); return one.runIfDue(); });
                var b = pool.submit(() -> { go.await(); return other.runIfDue(); });
                go.countDown();
                ran += (a.get() ? 1 : 0) + (b.get() ? 1 : 0);
            }
            assertThat(ran).isEqualTo(rounds);
            assertThat(one.handle(new FindRetentionRunsQuery(100))).hasSize(rounds);
        } finally {
            pool.shutdownNow();
        }
    }

    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
