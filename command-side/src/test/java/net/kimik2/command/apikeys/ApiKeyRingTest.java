package net.kimik2.command.apikeys;

import static net.kimik2.command.testsupport.DomainErrors.assertDomainError;

import java.time.Instant;
import java.util.List;
import net.kimik2.api.apikeys.ApiKeyCreatedEvent;
import net.kimik2.api.apikeys.ApiKeyRevokedEvent;
import net.kimik2.api.apikeys.CreateApiKeyCommand;
import net.kimik2.api.apikeys.RevokeAllApiKeysCommand;
import net.kimik2.api.apikeys.RevokeApiKeyCommand;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.command.testsupport.Captured;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ApiKeyRingTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private static final String RING = "apikeys-u-1";
    private FixtureConfiguration<ApiKeyRing> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(ApiKeyRing.class);
    }

    private static CreateApiKeyCommand create(String keyId, String label, Long budget, Instant expiresAt,
                                              List<String> models) {
        return new CreateApiKeyCommand(RING, "u-1", keyId, label, "hash-" + keyId, "sk-kimi-abcdef", budget,
                expiresAt, models);
    }

    private static ApiKeyCreatedEvent created(String keyId) {
        return new ApiKeyCreatedEvent(RING, "u-1", keyId, "label", "hash-" + keyId, "sk-kimi-abcdef", null, null,
                List.of(), NOW);
    }

    private static void refused(org.axonframework.test.aggregate.ResultValidator<ApiKeyRing> result, ErrorCode code,
                                String field) {
        Captured<Object> thrown = new Captured<>();
        result.expectNoEvents().expectException(thrown);
        assertDomainError(thrown.get(), code, field);
    }

    @Test
    void createRecordsTheHashNeverASecret() {
        fixture.givenCurrentTime(NOW)
                .when(create("k-1", "  laptop ", 5000L, NOW.plusSeconds(3600), List.of("kimi-k2-0905-preview")))
                .expectSuccessfulHandlerExecution()
                .expectResultMessagePayload("k-1")
                .expectEvents(new ApiKeyCreatedEvent(RING, "u-1", "k-1", "laptop", "hash-k-1", "sk-kimi-abcdef", 5000L,
                        NOW.plusSeconds(3600), List.of("kimi-k2-0905-preview"), NOW));
    }

    @Test
    void createRefusesInvalidInput() {
        refused(fixture.givenCurrentTime(NOW).when(create("k-1", " ", null, null, null)), ErrorCode.VALIDATION_FAILED, "label");
        refused(fixture.givenCurrentTime(NOW).when(create("k-1", "x".repeat(101), null, null, null)), ErrorCode.VALIDATION_FAILED, "label");
        refused(fixture.givenCurrentTime(NOW).when(create("k-1", "l", 0L, null, null)),
                ErrorCode.VALIDATION_FAILED, "monthlyBudgetCredits");
        refused(fixture.givenCurrentTime(NOW).when(create("k-1", "l", Long.MAX_VALUE, null, null)),
                ErrorCode.VALIDATION_FAILED, "monthlyBudgetCredits");
        refused(fixture.givenCurrentTime(NOW).when(create("k-1", "l", null, NOW.minusSeconds(1), null)), ErrorCode.VALIDATION_FAILED, "expiresAt");
        refused(fixture.givenCurrentTime(NOW).when(create("k-1", "l", null, null, List.of("bad model id!"))), ErrorCode.VALIDATION_FAILED, "models");
    }

    @Test
    @DisplayName("OWASP API4 unrestricted resource consumption: at most 20 live keys per person")
    void atMostTwentyLiveKeys() {
        Object[] twenty = new Object[ApiKeyRing.MAX_LIVE_KEYS];
        for (int i = 0; i < twenty.length; i++) {
            twenty[i] = created("k-" + i);
        }
        refused(fixture.given(twenty).when(create("k-new", "one more", null, null, null)), ErrorCode.VALIDATION_FAILED, null);
        fixture.given(twenty).andGiven(new ApiKeyRevokedEvent(RING, "u-1", "k-0", NOW))
                .andGivenCurrentTime(NOW).when(create("k-new", "one more", null, null, null))
                .expectSuccessfulHandlerExecution();
    }

    @Test
    void revokeEndsALiveKeyOnceAndOnlyTheOwners() {
        fixture.given(created("k-1")).andGivenCurrentTime(NOW).when(new RevokeApiKeyCommand(RING, "u-1", "k-1"))
                .expectResultMessagePayload(true)
                .expectEvents(new ApiKeyRevokedEvent(RING, "u-1", "k-1", NOW));
        fixture.given(created("k-1"), new ApiKeyRevokedEvent(RING, "u-1", "k-1", NOW))
                .when(new RevokeApiKeyCommand(RING, "u-1", "k-1"))
                .expectResultMessagePayload(false).expectNoEvents();
        fixture.given(created("k-1")).when(new RevokeApiKeyCommand(RING, "u-2", "k-1"))
                .expectResultMessagePayload(false).expectNoEvents();
        fixture.given(created("k-1")).when(new RevokeApiKeyCommand(RING, "u-1", "k-unknown"))
                .expectResultMessagePayload(false).expectNoEvents();
    }

    @Test
    void revokeAllEndsEveryLiveKey() {
        fixture.given(created("k-1"), created("k-2"), new ApiKeyRevokedEvent(RING, "u-1", "k-1", NOW))
                .andGivenCurrentTime(NOW)
                .when(new RevokeAllApiKeysCommand(RING, "u-1"))
                .expectResultMessagePayload(1)
                .expectEvents(new ApiKeyRevokedEvent(RING, "u-1", "k-2", NOW));
    }
}
