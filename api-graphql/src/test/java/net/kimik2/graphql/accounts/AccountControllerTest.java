package net.kimik2.graphql.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.kimik2.api.accounts.AccountView;
import net.kimik2.api.accounts.FindAccountQuery;
import net.kimik2.api.accounts.LoginCommand;
import net.kimik2.api.accounts.LoginOutcome;
import net.kimik2.api.accounts.LogoutCommand;
import net.kimik2.api.accounts.RegisterAccountCommand;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.credits.CreditBalanceView;
import net.kimik2.api.credits.CreditBalances;
import net.kimik2.api.credits.FindCreditBalanceQuery;
import net.kimik2.api.credits.FindCreditBalancesQuery;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.platform.MetadataKeys;
import net.kimik2.graphql.ControllerTest;
import net.kimik2.graphql.platform.security.TokenService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.http.HttpHeaders;

class AccountControllerTest extends ControllerTest {

    private static final Instant CREATED = Instant.parse("2026-11-28T10:00:00Z");
    private static final AccountView ACCOUNT =
            new AccountView(USER_ID, "ada", "Ada Lovelace", "ada@example.org", Role.USER, CREATED);

    @Autowired
    private TokenService tokens;

    private static final Map<String, Object> REGISTER_INPUT = Map.of("name", "Ada Lovelace",
            "email", "ada@example.org", "username", "ada", "password", "correct horse battery",
            "acceptedPolicyVersion", "2026-01");

    private void accountAndBalanceExist() {
        queries.on(FindAccountQuery.class, q -> Optional.of(ACCOUNT));
        queries.on(FindCreditBalancesQuery.class, q -> new CreditBalances(
                List.of(new CreditBalanceView(USER_ID, 500_000L, 2_000L, 0L))));
    }

    @Test
    void meIsNullForAnAnonymousCaller() {
        graphQlTester.documentName("me").execute().path("me").valueIsNull();
        assertThat(queries.asked()).isEmpty();
    }

    @Test
    void meIsTheCallersAccountWithItsCredits() {
        signInAsUser();
        accountAndBalanceExist();

        var response = graphQlTester.documentName("me").execute();

        response.path("me.id").entity(String.class).isEqualTo(USER_ID)
                .path("me.username").entity(String.class).isEqualTo("ada")
                .path("me.role").entity(String.class).isEqualTo("USER")
                .path("me.createdAt").entity(String.class).isEqualTo("2026-11-28T10:00:00Z")
                .path("me.credits.available").entity(Long.class).isEqualTo(500_000L)
                .path("me.credits.held").entity(Long.class).isEqualTo(2_000L)
                .path("me.credits.debt").entity(Long.class).isEqualTo(0L);
        assertThat(queries.askedOne(FindAccountQuery.class).userId()).isEqualTo(USER_ID);
    }

    @Test
    void meIsNullWhenTheAccountViewHasNoAccount() {
        signInAsUser();
        queries.on(FindAccountQuery.class, q -> Optional.empty());
        graphQlTester.documentName("me").execute().path("me").valueIsNull();
    }

    @Test
    void anAccountWithoutALedgerHasAnEmptyBalance() {
        signInAsUser();
        queries.on(FindAccountQuery.class, q -> Optional.of(ACCOUNT));
        queries.on(FindCreditBalancesQuery.class, q -> new CreditBalances(List.of()));
        graphQlTester.documentName("me").execute()
                .path("me.credits.available").entity(Long.class).isEqualTo(0L);
    }

    @Test
    void registerAnswersRegisteredOnceTheViewsShowTheAccountAndItsSignupCredits() {
        commands.on(RegisterAccountCommand.class, c -> null);
        queries.onView(FindAccountQuery.class, q -> new AccountView(q.userId(), "ada", "Ada Lovelace",
                "ada@example.org", Role.USER, CREATED));
        queries.onView(FindCreditBalanceQuery.class, q -> new CreditBalanceView(q.userId(), 500_000L, 0, 0));
        queries.on(FindCreditBalancesQuery.class, q -> new CreditBalances(
                q.userIds().stream().map(id -> new CreditBalanceView(id, 500_000L, 0, 0)).toList()));

        var response = graphQlTester.documentName("register").variable("input", REGISTER_INPUT).execute();

        RegisterAccountCommand sent = commands.sentOne(RegisterAccountCommand.class);
        assertThat(sent.role()).isEqualTo(Role.USER);
        assertThat(sent.username()).isEqualTo("ada");
        assertThat(commands.sent().get(0).getMetaData()).containsEntry(MetadataKeys.ACTOR_ID, sent.userId());
        response.path("register.__typename").entity(String.class).isEqualTo("Registered")
                .path("register.account.id").entity(String.class).isEqualTo(sent.userId())
                .path("register.account.email").entity(String.class).isEqualTo("ada@example.org")
                .path("register.account.credits.available").entity(Long.class).isEqualTo(500_000L);
    }

    @Test
    void registerAnswersValidationFailedForARejectedInput() {
        commands.on(RegisterAccountCommand.class, c -> {
            throw commandFailure(ErrorCode.VALIDATION_FAILED, "password", "password must be at least 12 characters");
        });

        graphQlTester.documentName("register").variable("input", REGISTER_INPUT).execute()
                .path("register.__typename").entity(String.class).isEqualTo("ValidationFailed")
                .path("register.field").entity(String.class).isEqualTo("password")
                .path("register.message").entity(String.class).isEqualTo("password must be at least 12 characters");
    }

    @Test
    void registerAnswersAlreadyTakenNamingTheField() {
        commands.on(RegisterAccountCommand.class, c -> {
            throw commandFailure(ErrorCode.ALREADY_TAKEN, "email", "taken");
        });

        graphQlTester.documentName("register").variable("input", REGISTER_INPUT).execute()
                .path("register.__typename").entity(String.class).isEqualTo("AlreadyTaken")
                .path("register.takenField").entity(String.class).isEqualTo("email");
    }

    @Test
    void registerIsAConflictErrorWhenTheViewsDoNotShowTheAccountInTime() {
        commands.on(RegisterAccountCommand.class, c -> null);
        queries.onView(FindAccountQuery.class, q -> null);

        var response = graphQlTester.documentName("register").variable("input", REGISTER_INPUT).execute();

        onlyError(response, "CONFLICT", "register");
        response.path("register").pathDoesNotExist();
    }

    @Test
    void registerHidesAnUnexpectedFailure() {
        commands.on(RegisterAccountCommand.class, c -> {
            throw new IllegalStateException("jdbc:h2:/secret/path refused");
        });

        onlyInternalError(graphQlTester.documentName("register").variable("input", REGISTER_INPUT).execute(),
                "register", "secret");
    }

    @Test
    void loginAnswersLoggedInWithATokenForTheNewSession() {
        Instant expiresAt = Instant.now().plus(1, ChronoUnit.DAYS);
        commands.on(LoginCommand.class, c -> new LoginOutcome(USER_ID, Role.USER, "session-9", expiresAt));
        queries.onView(FindAccountQuery.class, q -> ACCOUNT);

        var response = graphQlTester.documentName("login")
                .variable("input", Map.of("usernameOrEmail", "ada", "password", "correct horse battery")).execute();

        response.path("login.__typename").entity(String.class).isEqualTo("LoggedIn")
                .path("login.account.id").entity(String.class).isEqualTo(USER_ID)
                .path("login.account.role").entity(String.class).isEqualTo("USER");
        String token = response.path("login.token").entity(String.class).get();
        assertThat(tokens.verify(token, Instant.now())).contains("session-9");
        assertThat(commands.sentOne(LoginCommand.class).usernameOrEmail()).isEqualTo("ada");
    }

    @Test
    void loginAnswersInvalidCredentialsWithoutSayingWhichPartWasWrong() {
        commands.on(LoginCommand.class, c -> {
            throw commandFailure(ErrorCode.INVALID_CREDENTIALS, null, "wrong password for ada");
        });

        graphQlTester.documentName("login")
                .variable("input", Map.of("usernameOrEmail", "ada", "password", "wrong")).execute()
                .path("login.__typename").entity(String.class).isEqualTo("InvalidCredentials")
                .path("login.message").entity(String.class).isEqualTo("unknown user or wrong password");
    }

    @Test
    void loginPassesOtherDomainFailuresToTheErrorHandler() {
        commands.on(LoginCommand.class, c -> {
            throw commandFailure(ErrorCode.VALIDATION_FAILED, "usernameOrEmail", "usernameOrEmail is required");
        });

        var response = graphQlTester.documentName("login")
                .variable("input", Map.of("usernameOrEmail", "", "password", "x")).execute();

        assertThat(onlyError(response, "VALIDATION_FAILED", "login").getExtensions())
                .containsEntry("field", "usernameOrEmail");
    }

    @Test
    void loginSetsTheHttpOnlySessionCookieOnTheHttpResponse() {
        Instant expiresAt = Instant.now().plus(1, ChronoUnit.DAYS);
        commands.on(LoginCommand.class, c -> new LoginOutcome(USER_ID, Role.USER, "session-9", expiresAt));
        queries.onView(FindAccountQuery.class, q -> ACCOUNT);

        WebGraphQlResponse response = overHttp("login",
                Map.of("input", Map.of("usernameOrEmail", "ada", "password", "correct horse battery")));

        String token = (String) ((Map<?, ?>) ((Map<?, ?>) response.getData()).get("login")).get("token");
        assertThat(response.getResponseHeaders().get(HttpHeaders.SET_COOKIE)).singleElement().asString()
                .startsWith("KIMI_SESSION=" + token + ";").contains("HttpOnly").contains("SameSite=Lax")
                .contains("Path=/");
    }

    @Test
    void logoutEndsTheCallersSessionAndClearsTheCookie() {
        signInAsUser();
        commands.on(LogoutCommand.class, c -> null);

        WebGraphQlResponse response = overHttp("logout", Map.of());

        assertThat(((Map<?, ?>) response.getData()).get("logout")).isEqualTo(true);
        LogoutCommand sent = commands.sentOne(LogoutCommand.class);
        assertThat(sent.userId()).isEqualTo(USER_ID);
        assertThat(sent.sessionId()).isEqualTo(SESSION_ID);
        assertThat(commands.sent().get(0).getMetaData()).containsEntry(MetadataKeys.ACTOR_ID, USER_ID)
                .containsEntry(MetadataKeys.ACTOR_ROLE, "USER");
        assertThat(response.getResponseHeaders().get(HttpHeaders.SET_COOKIE)).singleElement().asString()
                .startsWith("KIMI_SESSION=;").contains("Max-Age=0");
    }

    @Test
    void logoutIsFalseForAnAnonymousCaller() {
        graphQlTester.documentName("logout").execute().path("logout").entity(Boolean.class).isEqualTo(false);
        assertThat(commands.sent()).isEmpty();
    }
}
