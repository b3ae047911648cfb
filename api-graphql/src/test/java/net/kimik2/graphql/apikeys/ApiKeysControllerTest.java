package net.kimik2.graphql.apikeys;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.kimik2.api.apikeys.ApiKeyList;
import net.kimik2.api.apikeys.ApiKeyRingId;
import net.kimik2.api.apikeys.ApiKeyView;
import net.kimik2.api.apikeys.CreateApiKeyCommand;
import net.kimik2.api.apikeys.FindApiKeysQuery;
import net.kimik2.api.apikeys.RevokeApiKeyCommand;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.platform.MetadataKeys;
import net.kimik2.graphql.ControllerTest;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ApiKeysControllerTest extends ControllerTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    private static ApiKeyView view(String id, CreateApiKeyCommand c) {
        return new ApiKeyView(id, USER_ID, c.label(), c.prefix(), T0, c.expiresAt(), c.monthlyBudgetCredits(),
                c.models() == null ? List.of() : c.models(), null, 0, null);
    }

    @Test
    void createApiKeyAnswersTheSecretOnceAndSendsOnlyItsHash() {
        signInAsUser();
        CreateApiKeyCommand[] sent = new CreateApiKeyCommand[1];
        commands.on(CreateApiKeyCommand.class, c -> {
            sent[0] = c;
            return c.keyId();
        });
        queries.on(FindApiKeysQuery.class, q -> new ApiKeyList(List.of(view(sent[0].keyId(), sent[0]))));

        var response = graphQlTester.documentName("createApiKey").variable("input", Map.of("label", "laptop",
                        "monthlyBudgetCredits", 5000, "expiresAt", "2099-01-01T00:00:00Z", "models", List.of("m-1")))
                .execute()
                .path("createApiKey.__typename").entity(String.class).isEqualTo("ApiKeyCreated");
        String secret = response.path("createApiKey.secret").entity(String.class).get();
        assertThat(secret).startsWith("sk-kimi-").hasSize(51);
        response.path("createApiKey.apiKey.prefix").entity(String.class).isEqualTo(secret.substring(0, 14))
                .path("createApiKey.apiKey.label").entity(String.class).isEqualTo("laptop")
                .path("createApiKey.apiKey.monthlyBudgetCredits").entity(Long.class).isEqualTo(5000L)
                .path("createApiKey.apiKey.models").entityList(String.class).containsExactly("m-1");
        CreateApiKeyCommand command = commands.sentOne(CreateApiKeyCommand.class);
        assertThat(command.ringId()).isEqualTo(ApiKeyRingId.forUser(USER_ID));
        assertThat(command.userId()).isEqualTo(USER_ID);
        assertThat(command.secretHash()).isEqualTo(ApiKeySecrets.hash(secret)).doesNotContain(secret);
        assertThat(command.toString()).doesNotContain(secret).doesNotContain("laptop");
        assertThat(command.expiresAt()).isEqualTo(Instant.parse("2099-01-01T00:00:00Z"));
        assertThat(commands.sent().get(0).getMetaData()).containsEntry(MetadataKeys.ACTOR_ID, USER_ID);
    }

    @Test
    void createApiKeyAnswersValidationFailedFromTheDomain() {
        signInAsUser();
        commands.on(CreateApiKeyCommand.class, c -> {
            throw commandFailure(ErrorCode.VALIDATION_FAILED, "label", "label must be 1 to 100 characters");
        });
        graphQlTester.documentName("createApiKey").variable("input", Map.of("label", "")).execute()
                .path("createApiKey.__typename").entity(String.class).isEqualTo("ValidationFailed")
                .path("createApiKey.field").entity(String.class).isEqualTo("label");
    }

    @Test
    @DisplayName("OWASP API3 mass assignment: createApiKey takes no owner, secret or spend from the client")
    void createApiKeyInputCannotCarryOwnerOrSpend() {
        signInAsUser();
        var response = graphQlTester.documentName("createApiKey").variable("input", Map.of("label", "x",
                "userId", "user-2", "spentThisMonth", 0, "secret", "sk-kimi-chosen")).execute();
        // unknown input fields are refused as a whole by the schema: nothing is sent, nothing is bound
        response.errors().satisfy(errors -> assertThat(errors).hasSize(1)
                .allSatisfy(e -> assertThat(e.getMessage()).contains("not defined for input object type")));
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void apiKeysListsTheCallersKeysWithoutSecrets() {
        signInAsUser();
        queries.on(FindApiKeysQuery.class, q -> new ApiKeyList(List.of(new ApiKeyView("k-1", USER_ID, "ci",
                "sk-kimi-abcdef", T0, null, null, List.of(), T0.plusSeconds(60), 1234L, T0.plusSeconds(120)))));
        graphQlTester.documentName("apiKeys").execute()
                .path("apiKeys[0].id").entity(String.class).isEqualTo("k-1")
                .path("apiKeys[0].lastUsedAt").entity(String.class).isEqualTo("2026-11-28T10:01:00Z")
                .path("apiKeys[0].spentThisMonth").entity(Long.class).isEqualTo(1234L)
                .path("apiKeys[0].revokedAt").entity(String.class).isEqualTo("2026-11-28T10:02:00Z")
                .path("apiKeys[0].monthlyBudgetCredits").valueIsNull();
        assertThat(queries.askedOne(FindApiKeysQuery.class).userId()).isEqualTo(USER_ID);
    }

    @Test
    @DisplayName("OWASP API5 function-level authorization: key management needs a signed-in session")
    void keyOperationsNeedACaller() {
        onlyError(graphQlTester.documentName("apiKeys").execute(), "UNAUTHENTICATED", "apiKeys");
        onlyError(graphQlTester.documentName("createApiKey").variable("input", Map.of("label", "x")).execute(),
                "UNAUTHENTICATED", "createApiKey");
        onlyError(graphQlTester.documentName("revokeApiKey").variable("id", "k-1").execute(),
                "UNAUTHENTICATED", "revokeApiKey");
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    @DisplayName("OWASP API1 object-level authorization: revokeApiKey acts on the caller's own ring only")
    void revokeApiKeyTargetsTheCallersRing() {
        signInAsUser();
        commands.on(RevokeApiKeyCommand.class, c -> false);
        graphQlTester.documentName("revokeApiKey").variable("id", "someone-elses-key").execute()
                .path("revokeApiKey").entity(Boolean.class).isEqualTo(false);
        RevokeApiKeyCommand sent = commands.sentOne(RevokeApiKeyCommand.class);
        assertThat(sent.ringId()).isEqualTo(ApiKeyRingId.forUser(USER_ID));
        assertThat(sent.userId()).isEqualTo(USER_ID);
    }

    @Test
    void revokeApiKeyIsFalseWithoutKeysOrForMalformedIds() {
        signInAsUser();
        commands.on(RevokeApiKeyCommand.class, c -> {
            throw new AggregateNotFoundException(c.ringId(), "no ring");
        });
        graphQlTester.documentName("revokeApiKey").variable("id", "k-1").execute()
                .path("revokeApiKey").entity(Boolean.class).isEqualTo(false);
        graphQlTester.documentName("revokeApiKey").variable("id", "../../etc").execute()
                .path("revokeApiKey").entity(Boolean.class).isEqualTo(false);
    }
}
