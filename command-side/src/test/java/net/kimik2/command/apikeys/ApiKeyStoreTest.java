package net.kimik2.command.apikeys;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import net.kimik2.api.apikeys.ApiKeyCreatedEvent;
import net.kimik2.api.apikeys.ApiKeyGrant;
import net.kimik2.api.apikeys.ApiKeyList;
import net.kimik2.api.apikeys.ApiKeyRevokedEvent;
import net.kimik2.api.apikeys.FindApiKeyGrantQuery;
import net.kimik2.api.apikeys.FindApiKeysQuery;
import net.kimik2.api.conversations.AnswerRecordedEvent;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import net.kimik2.api.conversations.TokenUsage;
import net.kimik2.api.platform.MetadataKeys;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.command.testsupport.H2;
import net.kimik2.shredding.privacy.DataKeys;
import net.kimik2.shredding.privacy.FieldCipher;
import net.kimik2.shredding.privacy.KeyVault;
import net.kimik2.shredding.privacy.LocalKeyEncryptionService;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.DefaultQueryGateway;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.SimpleQueryBus;
import org.axonframework.queryhandling.annotation.AnnotationQueryHandlerAdapter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** The key store through Axon's annotation adapters and query bus, on a private H2 database with real encryption. */
class ApiKeyStoreTest {

    private final Instant now = Instant.now();
    private JdbcTemplate jdbc;
    private DataKeys keys;
    private AnnotationEventHandlerAdapter events;
    private QueryGateway queries;

    @BeforeEach
    void setUp() {
        jdbc = new JdbcTemplate(H2.newDatabase());
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        LocalKeyEncryptionService kes = new LocalKeyEncryptionService(List.of(Base64.getEncoder().encodeToString(kek)));
        KeyVault vault = new KeyVault("jdbc:h2:mem:vault-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null, null, kes);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        keys = new DataKeys(vault, kes, meters, 100, Duration.ofMinutes(5));
        ApiKeyStore store = new ApiKeyStore(jdbc, new FieldCipher(keys, meters));
        events = new AnnotationEventHandlerAdapter(store);
        SimpleQueryBus bus = SimpleQueryBus.builder().build();
        new AnnotationQueryHandlerAdapter<>(store).subscribe(bus);
        queries = DefaultQueryGateway.builder().queryBus(bus).build();
    }

    private void publish(Object event, MetaData metaData) throws Exception {
        events.handle(GenericEventMessage.asEventMessage(event).andMetaData(metaData));
    }

    private void publish(Object event) throws Exception {
        publish(event, MetaData.emptyInstance());
    }

    private Optional<ApiKeyGrant> grant(String hash) {
        return queries.query(new FindApiKeyGrantQuery(hash), ResponseTypes.optionalInstanceOf(ApiKeyGrant.class)).join();
    }

    private ApiKeyList list(String userId) {
        return queries.query(new FindApiKeysQuery(userId), ResponseTypes.instanceOf(ApiKeyList.class)).join();
    }

    private ApiKeyCreatedEvent created(String userId, String keyId, Long budget, Instant expiresAt) {
        return new ApiKeyCreatedEvent("apikeys-" + userId, userId, keyId, "my label", "hash-" + keyId, "sk-kimi-abcdef",
                budget, expiresAt, List.of("m-1"), now);
    }

    private static PromptSubmittedEvent submitted(String userId, String promptId, Instant at) {
        return new PromptSubmittedEvent("c-" + promptId, userId, promptId, "m-" + promptId, null, "hi", "m-1", 64,
                1000, at);
    }

    private static AnswerRecordedEvent answered(String userId, String promptId, long cost, Instant at) {
        return new AnswerRecordedEvent("c-" + promptId, userId, promptId, "a-" + promptId, "m-" + promptId, "hello",
                "m-1", "m-1", "stop", new TokenUsage(10, 0, 5, cost, "v1", false), at);
    }

    @Test
    void aCreatedKeyIsFoundByItsHashWithItsLimitsAndTheLabelIsStoredEncrypted() throws Exception {
        publish(created("u-1", "k-1", 500L, null));
        ApiKeyGrant grant = grant("hash-k-1").orElseThrow();
        assertThat(grant.userId()).isEqualTo("u-1");
        assertThat(grant.monthlyBudgetCredits()).isEqualTo(500L);
        assertThat(grant.allowsModel("m-1")).isTrue();
        assertThat(grant.allowsModel("m-2")).isFalse();
        assertThat(grant("hash-unknown")).isEmpty();
        assertThat(list("u-1").keys()).singleElement().satisfies(k -> {
            assertThat(k.label()).isEqualTo("my label");
            assertThat(k.prefix()).isEqualTo("sk-kimi-abcdef");
        });
        assertThat(jdbc.queryForObject("SELECT label FROM api_key", String.class)).startsWith(FieldCipher.PREFIX)
                .doesNotContain("my label");
        assertThat(list("u-2").keys()).isEmpty();
    }

    @Test
    void revokedExpiredAndErasedKeysGrantNothing() throws Exception {
        publish(created("u-1", "k-1", null, null));
        publish(created("u-1", "k-2", null, now.minusSeconds(1)));
        publish(created("u-1", "k-3", null, null));
        publish(created("u-2", "k-4", null, null));
        publish(new ApiKeyRevokedEvent("apikeys-u-1", "u-1", "k-1", now));
        assertThat(grant("hash-k-1")).isEmpty();
        assertThat(grant("hash-k-2")).isEmpty();
        assertThat(grant("hash-k-3")).isPresent();
        publish(new ErasureRequestedEvent("u-1", "r-1", now, now.plusSeconds(60), "u-1", false, null));
        assertThat(grant("hash-k-3")).isEmpty();
        assertThat(grant("hash-k-4")).as("another person's key").isPresent();
        assertThat(list("u-1").keys()).allSatisfy(k -> assertThat(k.revokedAt()).isNotNull());
    }

    @Test
    void answersOfPromptsSentWithAKeyCountAgainstItOnceThisMonth() throws Exception {
        publish(created("u-1", "k-1", 100L, null));
        MetaData withKey = MetaData.with(MetadataKeys.API_KEY_ID, "k-1");
        publish(submitted("u-1", "p-1", now), withKey);
        publish(answered("u-1", "p-1", 60, now));
        publish(answered("u-1", "p-1", 60, now)); // redelivered: counted once
        publish(submitted("u-1", "p-2", now), MetaData.emptyInstance()); // GraphQL prompt: not the key's
        publish(answered("u-1", "p-2", 1000, now));
        publish(submitted("u-2", "p-3", now), withKey); // not u-2's key: not counted
        publish(answered("u-2", "p-3", 1000, now));
        ApiKeyGrant grant = grant("hash-k-1").orElseThrow();
        assertThat(grant.spentThisMonth()).isEqualTo(60);
        assertThat(grant.overBudget()).isFalse();
        publish(submitted("u-1", "p-4", now), withKey);
        publish(answered("u-1", "p-4", 40, now));
        assertThat(grant("hash-k-1").orElseThrow().overBudget()).isTrue();
        assertThat(list("u-1").keys().get(0).lastUsedAt()).isNotNull();
        assertThat(list("u-1").keys().get(0).spentThisMonth()).isEqualTo(100);
    }

    @Test
    void lastMonthsSpendDoesNotCount() throws Exception {
        publish(created("u-1", "k-1", 100L, null));
        Instant lastMonth = ApiKeyStore.monthStart(now).minusSeconds(60);
        publish(submitted("u-1", "p-1", lastMonth), MetaData.with(MetadataKeys.API_KEY_ID, "k-1"));
        publish(answered("u-1", "p-1", 100, lastMonth));
        assertThat(grant("hash-k-1").orElseThrow().spentThisMonth()).isZero();
    }
}
