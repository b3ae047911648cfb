package net.kimik2.graphql.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.kimik2.api.accounts.AcceptPolicyCommand;
import net.kimik2.api.accounts.AccountView;
import net.kimik2.api.accounts.FindAccountQuery;
import net.kimik2.api.accounts.FindPolicyStatusQuery;
import net.kimik2.api.accounts.FindPrivacyChoicesQuery;
import net.kimik2.api.accounts.FindSessionsQuery;
import net.kimik2.api.accounts.PolicyStatusView;
import net.kimik2.api.accounts.PrivacyChoicesView;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.accounts.SessionView;
import net.kimik2.api.accounts.SetPrivacyChoicesCommand;
import net.kimik2.api.accounts.UpdateProfileCommand;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.privacy.DataExportView;
import net.kimik2.api.privacy.FindDataExportQuery;
import net.kimik2.api.privacy.RequestDataExportCommand;
import net.kimik2.graphql.ControllerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.graphql.ExecutionGraphQlService;
import org.springframework.graphql.server.WebGraphQlHandler;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.util.LinkedMultiValueMap;

/** Sessions, rectification, choices, the policy gate and data exports at the GraphQL boundary. */
class AccountPrivacyControllerTest extends ControllerTest {

    @Autowired
    private ExecutionGraphQlService graphQlService;
    @Autowired
    private PolicyGate gate;

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    private void newPolicyNotAccepted() {
        queries.on(FindPolicyStatusQuery.class, q -> new PolicyStatusView("2026-07", T0, "https://kimi-k2.net/privacy",
                "2026-01", true));
    }

    @Test
    void sessionsMarkTheCurrentOne() {
        signInAsUser();
        queries.on(FindSessionsQuery.class, q -> List.of(
                new SessionView(USER_ID, SESSION_ID, T0, T0.plusSeconds(5), T0.plusSeconds(60), "mobile", "iOS", "Mobile Safari", "10.0.0.2"),
                new SessionView(USER_ID, "session-0", T0.minusSeconds(60), null, T0.plusSeconds(60), null, null, null, null)));
        graphQlTester.documentName("sessions").execute()
                .path("sessions[*].current").entityList(Boolean.class).containsExactly(true, false)
                .path("sessions[0].deviceType").entity(String.class).isEqualTo("mobile")
                .path("sessions[0].browser").entity(String.class).isEqualTo("Mobile Safari")
                .path("sessions[1].os").valueIsNull();
        assertThat(queries.askedOne(FindSessionsQuery.class).userId()).isEqualTo(USER_ID);
    }

    @Test
    void updateProfileMapsFailuresToUnionMembers() {
        signInAsUser();
        commands.on(UpdateProfileCommand.class, c -> {
            throw commandFailure(ErrorCode.ALREADY_TAKEN, "email", "email is already taken");
        });
        graphQlTester.documentName("updateProfile").variable("input", map("email", "b@example.com", "currentPassword", "pw"))
                .execute().path("updateProfile.__typename").entity(String.class).isEqualTo("AlreadyTaken");
        commands.on(UpdateProfileCommand.class, c -> {
            throw commandFailure(ErrorCode.INVALID_CREDENTIALS, null, "unknown user or wrong password");
        });
        graphQlTester.documentName("updateProfile").variable("input", map("email", "b@example.com"))
                .execute().path("updateProfile.__typename").entity(String.class).isEqualTo("InvalidCredentials");
    }

    @Test
    void updateProfileAnswersTheUpdatedAccount() {
        signInAsUser();
        commands.on(UpdateProfileCommand.class, c -> null);
        queries.onView(FindAccountQuery.class, q -> new AccountView(USER_ID, "alice", "Alice New",
                "new@example.com", Role.USER, T0));
        graphQlTester.documentName("updateProfile").variable("input", map("name", "Alice New", "email", "new@example.com",
                        "currentPassword", "pw")).execute()
                .path("updateProfile.account.name").entity(String.class).isEqualTo("Alice New");
        UpdateProfileCommand sent = commands.sentOne(UpdateProfileCommand.class);
        assertThat(sent.userId()).isEqualTo(USER_ID);
        assertThat(sent.currentPassword()).isEqualTo("pw");
    }

    /** The gate's interceptor runs in the web handler chain, as over HTTP and WebSocket. */
    private Map<String, Object> throughGate(String documentName, Map<String, Object> variables) {
        String document;
        try {
            document = new ClassPathResource("graphql-test/" + documentName + ".graphql")
                    .getContentAsString(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        WebGraphQlHandler handler = WebGraphQlHandler.builder(graphQlService).interceptor(gate).build();
        return handler.handleRequest(new WebGraphQlRequest(URI.create("http://localhost/graphql"), new HttpHeaders(),
                new LinkedMultiValueMap<>(), Map.of(), Map.of("query", document, "variables", variables), "1",
                null)).block().toMap();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aNewPolicyHoldsBackMutationsWithATypedAnswerOrError() {
        signInAsUser();
        newPolicyNotAccepted();
        Map<String, Object> profile = throughGate("updateProfile", map("input", map("name", "X")));
        Map<String, Object> result = (Map<String, Object>) ((Map<String, Object>) profile.get("data")).get("updateProfile");
        assertThat(result).containsEntry("__typename", "PolicyAcceptanceRequired").containsEntry("currentVersion", "2026-07");
        Map<String, Object> choices = throughGate("setPrivacyChoices", map("input", map("productEmails", true)));
        List<Map<String, Object>> errors = (List<Map<String, Object>>) choices.get("errors");
        assertThat(errors).hasSize(1);
        assertThat((Map<String, Object>) errors.get(0).get("extensions")).containsEntry("code", "POLICY_ACCEPTANCE_REQUIRED");
        // reads are not held back, and neither is accepting
        commands.on(AcceptPolicyCommand.class, c -> null);
        Map<String, Object> accept = throughGate("acceptPolicy", map("version", "2026-07"));
        assertThat(accept.get("errors")).isNull();
        assertThat(commands.sent()).hasSize(1);
        assertThat(queries.asked()).allMatch(q -> q instanceof FindPolicyStatusQuery f && f.userId().equals(USER_ID));
    }

    @Test
    void acceptPolicyAndExportsStayOpenWhileAPolicyWaits() {
        signInAsUser();
        newPolicyNotAccepted();
        commands.on(AcceptPolicyCommand.class, c -> null);
        graphQlTester.documentName("acceptPolicy").variable("version", "2026-07").execute()
                .path("acceptPolicy.currentVersion").entity(String.class).isEqualTo("2026-07");
        commands.on(RequestDataExportCommand.class, RequestDataExportCommand::exportId);
        queries.on(FindDataExportQuery.class, q -> Optional.of(new DataExportView(q.exportId(), q.userId(), "PENDING", 0,
                T0, null, null, 0)));
        graphQlTester.documentName("requestDataExport").execute()
                .path("requestDataExport.status").entity(String.class).isEqualTo("PENDING")
                .path("requestDataExport.downloadUrl").valueIsNull();
        assertThat(commands.sentOne(AcceptPolicyCommand.class).version()).isEqualTo("2026-07");
    }

    @Test
    void choicesAreSetAndRead() {
        signInAsUser();
        commands.on(SetPrivacyChoicesCommand.class, c -> null);
        queries.on(FindPrivacyChoicesQuery.class, q -> new PrivacyChoicesView(q.userId(), true, false, false, T0, "2026-01"));
        graphQlTester.documentName("setPrivacyChoices").variable("input", map("modelImprovement", true)).execute()
                .path("setPrivacyChoices.modelImprovement").entity(Boolean.class).isEqualTo(true)
                .path("setPrivacyChoices.updatedAt").entity(String.class).isEqualTo("2026-11-28T10:00:00Z");
        SetPrivacyChoicesCommand sent = commands.sentOne(SetPrivacyChoicesCommand.class);
        assertThat(sent.modelImprovement()).isTrue();
        assertThat(sent.analyticsCookies()).isNull();
    }

    @Test
    void aReadyExportHasItsDownloadLinkAndAnotherPersonsIsNull() {
        signInAsUser();
        queries.on(FindDataExportQuery.class, q -> q.exportId().equals("x-1")
                ? Optional.of(new DataExportView("x-1", q.userId(), "READY", 100, T0, T0.plusSeconds(3),
                T0.plusSeconds(86_400), 1234)) : Optional.empty());
        graphQlTester.documentName("dataExport").variable("id", "x-1").execute()
                .path("dataExport.downloadUrl").entity(String.class).isEqualTo("/privacy/exports/x-1")
                .path("dataExport.sizeBytes").entity(Long.class).isEqualTo(1234L);
        graphQlTester.documentName("dataExport").variable("id", "x-2").execute().path("dataExport").valueIsNull();
    }
}
