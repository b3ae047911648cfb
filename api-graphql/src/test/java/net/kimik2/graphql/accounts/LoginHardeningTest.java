package net.kimik2.graphql.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import net.kimik2.api.accounts.AccountView;
import net.kimik2.api.accounts.FindAccountQuery;
import net.kimik2.api.accounts.LoginCommand;
import net.kimik2.api.accounts.LoginOutcome;
import net.kimik2.api.accounts.RegisterAccountCommand;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.graphql.ControllerTest;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.ResponseError;

/** Login throttling and the one-credential-mutation-per-request rule, through the real schema and controller. */
class LoginHardeningTest extends ControllerTest {

    private static final AccountView ACCOUNT = new AccountView(USER_ID, "ada", "Ada Lovelace", "ada@example.org",
            Role.USER, Instant.parse("2026-11-28T10:00:00Z"));

    private GraphQlResponseOf login(String user, String password) {
        return new GraphQlResponseOf(graphQlTester.documentName("login")
                .variable("input", Map.of("usernameOrEmail", user, "password", password)).execute());
    }

    private record GraphQlResponseOf(org.springframework.graphql.test.tester.GraphQlTester.Response response) {
    }

    private void passwordIs(String correct) {
        commands.on(LoginCommand.class, c -> {
            if (c.password().equals(correct)) {
                return new LoginOutcome(USER_ID, Role.USER, "session-9", Instant.now().plus(1, ChronoUnit.DAYS));
            }
            throw commandFailure(ErrorCode.INVALID_CREDENTIALS, null, "unknown user or wrong password");
        });
        queries.onView(FindAccountQuery.class, q -> ACCOUNT);
    }

    @Test
    void afterTheFreeFailuresEvenTheCorrectPasswordMustWaitAndIsNotChecked() {
        String user = "user_" + UUID.randomUUID().toString().substring(0, 8);
        passwordIs("correct horse battery");
        for (int i = 0; i < 6; i++) {
            login(user, "wrong guess " + i).response().path("login.__typename").entity(String.class)
                    .isEqualTo("InvalidCredentials");
        }
        int sentBefore = commands.sent().size();

        var refused = login(user, "correct horse battery").response();

        ResponseError error = onlyError(refused, "RATE_LIMITED", "login");
        assertThat(((Number) error.getExtensions().get("retryAfterSeconds")).longValue()).isPositive();
        assertThat(error.getMessage()).doesNotContain(user);
        assertThat(commands.sent()).hasSize(sentBefore); // the password was not even looked at
    }

    @Test
    void aSuccessfulLoginStartsTheAccountsCountOver() {
        String user = "user_" + UUID.randomUUID().toString().substring(0, 8);
        passwordIs("correct horse battery");
        for (int i = 0; i < 5; i++) {
            login(user, "wrong guess " + i);
        }
        login(user, "correct horse battery").response().path("login.__typename").entity(String.class)
                .isEqualTo("LoggedIn");
        for (int i = 0; i < 5; i++) {
            login(user, "wrong again " + i).response().path("login.__typename").entity(String.class)
                    .isEqualTo("InvalidCredentials");
        }
    }

    @Test
    void twoAliasedLoginsInOneRequestAreRefusedBeforeEitherRuns() {
        passwordIs("correct horse battery");
        var response = graphQlTester.document("""
                mutation {
                  a: login(input: {usernameOrEmail: "ada", password: "guess one"}) { __typename }
                  b: login(input: {usernameOrEmail: "ada", password: "guess two"}) { __typename }
                }""").execute();

        response.errors().satisfy(errors -> {
            assertThat(errors).singleElement().satisfies(e -> {
                assertThat(e.getExtensions()).containsEntry("code", "VALIDATION_FAILED");
                assertThat(e.getMessage()).contains("at most one");
            });
        });
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void aLoginAndARegisterHiddenInFragmentsAreRefusedToo() {
        var response = graphQlTester.document("""
                mutation {
                  ...L
                  ... on Mutation { register(input: {name: "n", email: "e@example.org", username: "eve",
                      password: "pw", acceptedPolicyVersion: "2026-01"}) { __typename } }
                }
                fragment L on Mutation { login(input: {usernameOrEmail: "ada", password: "x"}) { __typename } }
                """).execute();

        response.errors().satisfy(errors -> assertThat(errors).singleElement()
                .satisfies(e -> assertThat(e.getExtensions()).containsEntry("code", "VALIDATION_FAILED")));
        assertThat(commands.sent()).isEmpty();
        assertThat(commands.sent().stream().map(m -> m.getPayload()).filter(RegisterAccountCommand.class::isInstance))
                .isEmpty();
    }

    @Test
    void oneLoginBesideOtherMutationsIsFine() {
        passwordIs("correct horse battery");
        graphQlTester.document("""
                mutation {
                  noop
                  login(input: {usernameOrEmail: "ada_other", password: "correct horse battery"}) { __typename }
                }""").execute().path("login.__typename").entity(String.class).isEqualTo("LoggedIn");
    }
}
