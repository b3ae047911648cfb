package net.kimik2.graphql.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
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

/** Sessions, rectification, choices, the policy gate and data exports at the GraphQL boundary. */
class AccountPrivacyControllerTest extends ControllerTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    private void newPolicyNotAccepted() {
        queries.on(FindPolicyStatusQuery.class, q -> new PolicyStatusView("2026-07", T0, "https://kimi-k2.net/privacy",
                "2026-01", true));
    }

    @Test
    void sessionsMarkTheCurrentOne() {
        signInAsUser();
        queries.on(FindSessionsQuery.class, q -> List.of(
                new SessionView(SESSION_ID, T0, T0.plusSeconds(5), T0.plusSeconds(60), "mobile", "iOS", "Mobile Safari", "10.0.0.2"),
                new SessionView("session-0", T0.minusSeconds(60), null, T0.plusSeconds(60), null, null, null, null)));
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
        queries.onView(FindAccountQuery.class, q -> Optional.of(new AccountView(USER_ID, "alice", "Alice New",
                "new@example.com", Role.USER, T0)));
        graphQlTester.documentName("updateProfile").variable("input", map("name", "Alice New", "email", "new@example.com",
                        "currentPassword", "pw")).execute()
                .path("updateProfile.account.name").entity(String.class).isEqualTo("Alice New");
        UpdateProfileCommand sent = commands.sentOne(UpdateProfileCommand.class);
        assertThat(sent.userId()).isEqualTo(USER_ID);
        assertThat(sent.currentPassword()).isEqualTo("pw");
    }

    @Test
    void aNewPolicyHoldsBackMutationsWithATypedAnswerOrError() {
        signInAsUser();
        newPolicyNotAccepted();
        graphQlTester.documentName("updateProfile").variable("input", map("name", "X")).execute()
                .path("updateProfile.__typename").entity(String.class).isEqualTo("PolicyAcceptanceRequired")
                .path("updateProfile.currentVersion").entity(String.class).isEqualTo("2026-07");
        onlyError(graphQlTester.documentName("setPrivacyChoices").variable("input", map("productEmails", true)).execute(),
                "POLICY_ACCEPTANCE_REQUIRED", "setPrivacyChoices");
        assertThat(commands.sent()).isEmpty();
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
