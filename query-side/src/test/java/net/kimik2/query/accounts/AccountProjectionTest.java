package net.kimik2.query.accounts;

import static net.kimik2.query.platform.ProjectionHarness.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.AccountView;
import net.kimik2.api.accounts.FindAccountQuery;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.privacy.ErasureCertificate;
import net.kimik2.api.privacy.ErasureCompletedEvent;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.shredding.privacy.DataKeys;
import net.kimik2.shredding.privacy.FieldCipher;
import net.kimik2.shredding.privacy.KeyVault;
import net.kimik2.shredding.privacy.LocalKeyEncryptionService;
import net.kimik2.query.platform.ProjectionHarness;
import net.kimik2.axon.platform.ReadCache;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.query.Query;

class AccountProjectionTest {

    private static final Instant REGISTERED = Instant.parse("2025-07-01T10:15:30.123Z");

    // the real key vault on a private in-memory H2 database, as the embedded application runs it
    private final LocalKeyEncryptionService kes = new LocalKeyEncryptionService(List.of(randomKek()));
    private final KeyVault vault = new KeyVault("jdbc:h2:mem:vault-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
            null, null, kes);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final DataKeys keys = new DataKeys(vault, kes, meters, 100, Duration.ofMinutes(5));
    private final FieldCipher cipher = new FieldCipher(keys, meters);
    private AccountProjection projection;
    private final ProjectionHarness harness = new ProjectionHarness(
            (mongo, emitter) -> List.of(projection = new AccountProjection(mongo, emitter, cipher,
                    new ReadCache<>("accounts", 1000, java.time.Duration.ofMinutes(10), null))));

    @AfterEach
    void tearDown() {
        harness.close();
        vault.destroy();
    }

    private static String randomKek() {
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        return Base64.getEncoder().encodeToString(kek);
    }

    private static AccountRegisteredEvent registered(String userId, String username, Role role) {
        return new AccountRegisteredEvent(userId, "Name " + username, username + "@example.com", username, "$argon2id$x",
                "2025-06", role, REGISTERED);
    }

    private static DomainEventMessage<?> registration(String userId, String username, Role role) {
        return event(userId, 0, registered(userId, username, role), REGISTERED);
    }

    private Optional<AccountView> find(String userId) {
        return harness.query(new FindAccountQuery(userId), ResponseTypes.optionalInstanceOf(AccountView.class));
    }

    private Document stored(String userId) {
        return harness.mongo.findById(userId, Document.class, AccountProjection.COLLECTION);
    }

    @Test
    void registrationWritesTheAccountView() {
        harness.deliver(registration("u-1", "alice", Role.ADMIN), registration("u-2", "bob", Role.USER));

        assertThat(find("u-1")).contains(
                new AccountView("u-1", "alice", "Name alice", "alice@example.com", Role.ADMIN, REGISTERED));
        assertThat(find("u-2")).map(AccountView::username).contains("bob");
        assertThat(find("u-3")).isEmpty();
    }

    @Test
    void personalValuesAreStoredEncryptedAndThePasswordHashNotAtAll() {
        harness.deliver(registration("u-1", "alice", Role.USER));

        Document doc = stored("u-1");
        assertThat(doc.keySet()).containsExactlyInAnyOrder("_id", "username", "name", "email", "role", "createdAt");
        for (String field : List.of("username", "name", "email")) {
            assertThat(doc.getString(field)).startsWith(FieldCipher.PREFIX).doesNotContain("alice");
        }
    }

    @Test
    void redeliveryLeavesASingleEqualDocument() {
        DomainEventMessage<?> message = registration("u-1", "alice", Role.USER);
        harness.deliver(message);
        harness.deliver(message);

        assertThat(harness.mongo.count(new Query(), AccountProjection.COLLECTION)).isEqualTo(1);
        assertThat(find("u-1")).map(AccountView::email).contains("alice@example.com");
    }

    @Test
    void resetClearsTheViewAndAReplayRebuildsIt() {
        DomainEventMessage<?> message = registration("u-1", "alice", Role.USER);
        harness.deliver(message);

        harness.reset();
        assertThat(find("u-1")).isEmpty();

        harness.deliver(message);
        assertThat(find("u-1")).map(AccountView::username).contains("alice");
    }

    @Test
    void erasureHidesTheViewAtOnceDeletesItOnCompletionAndAReplayDoesNotBringItBack() {
        DomainEventMessage<?> registration = registration("u-1", "alice", Role.USER);
        harness.deliver(registration, registration("u-2", "bob", Role.USER));
        Instant at = REGISTERED.plusSeconds(60);
        DomainEventMessage<?> request = event("u-1", 1, new ErasureRequestedEvent("u-1", "r-1", at,
                at.plus(Duration.ofDays(30)), "u-1", false, "GDPR Art. 17(1)(a)"), at);
        keys.fence("user:u-1", "u-1", "r-1"); // what the erasure process does right after the request
        harness.deliver(request);
        // left for erasure step 4 to count and delete, unreadable already
        assertThat(stored("u-1")).isNotNull();
        assertThat(find("u-1")).isEmpty();
        assertThat(harness.mongo.getCollection(AccountProjection.COLLECTION)
                .countDocuments(projection.subjectDocuments("u-1").get(AccountProjection.COLLECTION))).isEqualTo(1);

        DomainEventMessage<?> completion = event("u-1", 2, new ErasureCompletedEvent("u-1", "r-1",
                new ErasureCertificate("r-1", "u-1", List.of("user:u-1"), List.of("00"), 2, 1, at, at, "u-1",
                        "GDPR Art. 17(1)(a)")), at);
        harness.deliver(completion);
        assertThat(stored("u-1")).isNull();
        assertThat(find("u-2")).isPresent();

        harness.reset();
        harness.deliver(registration, request, completion);
        assertThat(stored("u-1")).isNull();
        assertThat(find("u-1")).isEmpty();
    }

    @Test
    void shreddedKeyHidesAStillStoredDocument() {
        harness.deliver(registration("u-1", "alice", Role.USER));
        keys.fence("user:u-1", "u-1", "r-1");

        assertThat(stored("u-1")).isNotNull();
        assertThat(find("u-1")).isEmpty();
    }
}
