package net.kimik2.command.accounts;

import static net.kimik2.command.accounts.AccountTestSupport.HASHER;
import static net.kimik2.command.accounts.AccountTestSupport.PASSWORD;
import static net.kimik2.command.accounts.AccountTestSupport.POLICY;
import static net.kimik2.command.accounts.AccountTestSupport.SESSION_TTL;
import static net.kimik2.command.accounts.AccountTestSupport.SETTINGS;
import static net.kimik2.command.testsupport.DomainErrors.assertDomainError;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.LoginCommand;
import net.kimik2.api.accounts.LoginOutcome;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.accounts.UserLoggedInEvent;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.command.testsupport.Captured;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The login handler runs against the fixture's real event-sourcing repository, as it does in the application. */
class LoginCommandHandlerTest {

    private static final String USER = "u-1";
    private static final Instant REGISTERED = Instant.parse("2025-07-01T00:00:00Z");
    private static final Instant NOW = Instant.parse("2025-07-03T09:30:00Z");
    // hashing once keeps the suite fast; Argon2 salts make every hash different anyway
    private static final String HASH = HASHER.hash(PASSWORD);

    private AccountTestSupport support;
    private FixtureConfiguration<Account> fixture;

    @BeforeEach
    void setUp() {
        support = new AccountTestSupport();
        fixture = new AggregateTestFixture<>(Account.class);
        fixture.registerInjectableResource(support.lookup);
        fixture.registerInjectableResource(HASHER);
        fixture.registerInjectableResource(SETTINGS);
        fixture.registerAnnotatedCommandHandler(
                new LoginCommandHandler(fixture.getRepository(), support.lookup, HASHER, SETTINGS, new DeviceParser()));
    }

    private AccountRegisteredEvent registeredAdmin() {
        support.lookup.claim(AccountLookup.Kind.EMAIL, "alice@example.com", USER);
        support.lookup.claim(AccountLookup.Kind.USERNAME, "alice", USER);
        return new AccountRegisteredEvent(USER, "Alice", "alice@example.com", "alice", HASH, POLICY, Role.ADMIN, REGISTERED);
    }

    @Test
    void loginByUsernameOpensASessionAndAppliesLoggedInEvent() {
        assertSuccessfulLogin(new LoginCommand("alice", PASSWORD));
    }

    @Test
    void loginByEmailIgnoresCaseAndSurroundingBlanks() {
        assertSuccessfulLogin(new LoginCommand("  Alice@EXAMPLE.com ", PASSWORD));
    }

    private void assertSuccessfulLogin(LoginCommand command) {
        Captured<List<EventMessage<?>>> events = new Captured<>();
        Captured<Object> result = new Captured<>();
        fixture.given(registeredAdmin())
                .andGivenCurrentTime(NOW)
                .when(command)
                .expectSuccessfulHandlerExecution()
                .expectResultMessagePayloadMatching(result)
                .expectEventsMatching(events);

        LoginOutcome outcome = (LoginOutcome) result.get();
        assertThat(outcome.userId()).isEqualTo(USER);
        assertThat(outcome.role()).isEqualTo(Role.ADMIN);
        assertThat(outcome.sessionId()).isNotBlank();
        assertThat(outcome.expiresAt()).isEqualTo(NOW.plus(SESSION_TTL));
        assertThat(events.get().stream().map(e -> (Object) e.getPayload()).toList())
                .containsExactly(new UserLoggedInEvent(USER, outcome.sessionId(), NOW, NOW.plus(SESSION_TTL)));
    }

    @Test
    void everyLoginGetsItsOwnSession() {
        Captured<Object> first = new Captured<>();
        fixture.given(registeredAdmin()).when(new LoginCommand("alice", PASSWORD)).expectResultMessagePayloadMatching(first);
        Captured<Object> second = new Captured<>();
        fixture.given(registeredAdmin()).when(new LoginCommand("alice", PASSWORD)).expectResultMessagePayloadMatching(second);
        assertThat(((LoginOutcome) first.get()).sessionId()).isNotEqualTo(((LoginOutcome) second.get()).sessionId());
    }

    @Test
    void wrongPasswordIsInvalidCredentials() {
        DomainError error = assertRejected(registeredAdmin(), new LoginCommand("alice", PASSWORD + "!"));
        // must not reveal whether the user exists
        assertThat(error).isEqualTo(assertRejected(registeredAdmin(), new LoginCommand("nobody", PASSWORD)));
    }

    @Test
    void passwordIsCaseSensitive() {
        assertRejected(registeredAdmin(), new LoginCommand("alice", PASSWORD.toUpperCase()));
    }

    @Test
    void unknownUsernameOrEmailIsInvalidCredentials() {
        assertRejected(registeredAdmin(), new LoginCommand("bob", PASSWORD));
        assertRejected(registeredAdmin(), new LoginCommand("bob@example.com", PASSWORD));
    }

    @Test
    void missingInputIsInvalidCredentials() {
        assertRejected(registeredAdmin(), new LoginCommand(null, PASSWORD));
        assertRejected(registeredAdmin(), new LoginCommand("alice", null));
    }

    @Test
    void lookupEntryWithoutAnAccountIsInvalidCredentials() {
        // a claim whose registration never produced events (e.g. a crash between claim and event) must not leak
        support.lookup.claim(AccountLookup.Kind.USERNAME, "ghost", "ghost-id");
        Captured<Object> thrown = new Captured<>();
        fixture.givenNoPriorActivity()
                .when(new LoginCommand("ghost", PASSWORD))
                .expectNoEvents()
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.INVALID_CREDENTIALS, null);
    }

    @Test
    void accountWithAPendingErasureCannotLogInEvenWithTheRightPassword() {
        Captured<Object> thrown = new Captured<>();
        fixture.given(registeredAdmin(), new net.kimik2.api.privacy.ErasureRequestedEvent(USER, "r-1", NOW,
                        NOW.plusSeconds(86_400), USER, false, "GDPR Art. 17(1)(a)"))
                .when(new LoginCommand("alice", PASSWORD))
                .expectNoEvents()
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.INVALID_CREDENTIALS, null);
    }

    private DomainError assertRejected(AccountRegisteredEvent given, LoginCommand command) {
        Captured<Object> thrown = new Captured<>();
        fixture.given(given)
                .when(command)
                .expectNoEvents()
                .expectException(thrown);
        return assertDomainError(thrown.get(), ErrorCode.INVALID_CREDENTIALS, null);
    }
}
