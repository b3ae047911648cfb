package net.kimik2.command.accounts;

import static net.kimik2.command.accounts.AccountTestSupport.HASHER;
import static net.kimik2.command.accounts.AccountTestSupport.PASSWORD;
import static net.kimik2.command.accounts.AccountTestSupport.POLICY;
import static net.kimik2.command.accounts.AccountTestSupport.SETTINGS;
import static net.kimik2.command.accounts.AccountTestSupport.register;
import static net.kimik2.command.testsupport.DomainErrors.assertDomainError;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.LogoutCommand;
import net.kimik2.api.accounts.RegisterAccountCommand;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.accounts.UserLoggedOutEvent;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.command.testsupport.Captured;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.interceptors.TransactionManagingInterceptor;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

class AccountTest {

    private AccountTestSupport support;

    @BeforeEach
    void setUp() {
        support = new AccountTestSupport();
    }

    private FixtureConfiguration<Account> fixture() {
        FixtureConfiguration<Account> fixture = new AggregateTestFixture<>(Account.class);
        fixture.registerInjectableResource(support.lookup);
        fixture.registerInjectableResource(HASHER);
        fixture.registerInjectableResource(SETTINGS);
        return fixture;
    }

    @Test
    void registerEmitsEventWithNormalisedValuesAndAnArgon2Hash() {
        FixtureConfiguration<Account> fixture = fixture();
        Instant now = Instant.parse("2025-07-01T10:00:00Z");
        Captured<List<EventMessage<?>>> events = new Captured<>();

        fixture.givenCurrentTime(now)
                .when(register("u-1", "  Alice Liddell ", "  Alice@Example.COM ", " alice_l ", PASSWORD, POLICY, null))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(events);

        assertThat(events.get()).hasSize(1);
        AccountRegisteredEvent event = (AccountRegisteredEvent) events.get().get(0).getPayload();
        assertThat(event.userId()).isEqualTo("u-1");
        assertThat(event.name()).isEqualTo("Alice Liddell");
        assertThat(event.email()).isEqualTo("alice@example.com");
        assertThat(event.username()).isEqualTo("alice_l");
        assertThat(event.role()).isEqualTo(Role.USER);
        assertThat(event.acceptedPolicyVersion()).isEqualTo(POLICY);
        assertThat(event.registeredAt()).isEqualTo(now);
        assertThat(event.passwordHash()).startsWith("$argon2id$").doesNotContain(PASSWORD);
        assertThat(HASHER.matches(PASSWORD, event.passwordHash())).isTrue();
        assertThat(HASHER.matches(PASSWORD + "x", event.passwordHash())).isFalse();
        // both normalised values are now claimed for this user
        assertThat(support.lookup.find(AccountLookup.Kind.EMAIL, "alice@example.com")).contains("u-1");
        assertThat(support.lookup.find(AccountLookup.Kind.USERNAME, "alice_l")).contains("u-1");
    }

    @Test
    void registerKeepsAnExplicitRole() {
        Captured<List<EventMessage<?>>> events = new Captured<>();
        fixture().givenNoPriorActivity()
                .when(register("u-1", "Root", "root@example.com", "root", PASSWORD, POLICY, Role.ADMIN))
                .expectEventsMatching(events);
        assertThat(((AccountRegisteredEvent) events.get().get(0).getPayload()).role()).isEqualTo(Role.ADMIN);
    }

    @Test
    void lookupTableHoldsNoClearTextValues() {
        fixture().givenNoPriorActivity().when(register("u-1", "alice@example.com", "alice"))
                .expectSuccessfulHandlerExecution();
        List<String> hashes = support.jdbc.queryForList("SELECT key_hash FROM account_lookup", String.class);
        assertThat(hashes).hasSize(2).allSatisfy(h -> assertThat(h).matches("[0-9a-f]{64}"));
    }

    static Stream<Arguments> invalidRegistrations() {
        String ok = PASSWORD;
        return Stream.of(
                Arguments.of("null name", register("u", null, "a@example.com", "alice", ok, POLICY, null), "name"),
                Arguments.of("blank name", register("u", "   ", "a@example.com", "alice", ok, POLICY, null), "name"),
                Arguments.of("name too long", register("u", "n".repeat(201), "a@example.com", "alice", ok, POLICY, null), "name"),
                Arguments.of("control char in name", register("u", "Al\u0007ice", "a@example.com", "alice", ok, POLICY, null), "name"),
                Arguments.of("null email", register("u", "Alice", null, "alice", ok, POLICY, null), "email"),
                Arguments.of("email without @", register("u", "Alice", "alice.example.com", "alice", ok, POLICY, null), "email"),
                Arguments.of("email without dotted domain", register("u", "Alice", "alice@localhost", "alice", ok, POLICY, null), "email"),
                Arguments.of("email with space", register("u", "Alice", "al ice@example.com", "alice", ok, POLICY, null), "email"),
                Arguments.of("email too long", register("u", "Alice", "a".repeat(64) + "@" + "d".repeat(60) + ".example" + ".b".repeat(60) + ".com", "alice", ok, POLICY, null), "email"),
                Arguments.of("null username", register("u", "Alice", "a@example.com", null, ok, POLICY, null), "username"),
                Arguments.of("username too short", register("u", "Alice", "a@example.com", "al", ok, POLICY, null), "username"),
                Arguments.of("username too long", register("u", "Alice", "a@example.com", "a".repeat(33), ok, POLICY, null), "username"),
                Arguments.of("username with uppercase", register("u", "Alice", "a@example.com", "Alice", ok, POLICY, null), "username"),
                Arguments.of("username with dash", register("u", "Alice", "a@example.com", "al-ice", ok, POLICY, null), "username"),
                Arguments.of("null password", register("u", "Alice", "a@example.com", "alice", null, POLICY, null), "password"),
                Arguments.of("password too short", register("u", "Alice", "a@example.com", "alice", "p".repeat(11), POLICY, null), "password"),
                Arguments.of("password too long", register("u", "Alice", "a@example.com", "alice", "p".repeat(129), POLICY, null), "password"),
                Arguments.of("password equals username", register("u", "Alice", "a@example.com", "alice_wonder12", "ALICE_WONDER12", POLICY, null), "password"),
                Arguments.of("password equals email", register("u", "Alice", "Bob.Smith@Example.com", "bob", "bob.smith@example.COM", POLICY, null), "password"),
                Arguments.of("common password", register("u", "Alice", "a@example.com", "alice", "1q2w3e4r5t6y", POLICY, null), "password"),
                Arguments.of("one character repeated", register("u", "Alice", "a@example.com", "alice", "aaaaaaaaaaaa", POLICY, null), "password"),
                Arguments.of("digit run", register("u", "Alice", "a@example.com", "alice", "123456789012", POLICY, null), "password"),
                Arguments.of("common word repeated", register("u", "Alice", "a@example.com", "alice", "passwordpassword", POLICY, null), "password"),
                Arguments.of("username repeated", register("u", "Alice", "a@example.com", "alice_w", "alice_walice_w", POLICY, null), "password"),
                Arguments.of("email with a suffix", register("u", "Alice", "bob.smith@example.com", "bob", "bob.smith@example.com1", POLICY, null), "password"),
                Arguments.of("no policy accepted", register("u", "Alice", "a@example.com", "alice", ok, null, null), "acceptedPolicyVersion"),
                Arguments.of("old policy accepted", register("u", "Alice", "a@example.com", "alice", ok, "2024-01", null), "acceptedPolicyVersion"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRegistrations")
    void invalidRegistrationIsRejectedAndClaimsNothing(String description, RegisterAccountCommand command, String field) {
        Captured<Object> thrown = new Captured<>();
        fixture().givenNoPriorActivity().when(command)
                .expectNoEvents()
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.VALIDATION_FAILED, field);
        assertThat(support.jdbc.queryForObject("SELECT COUNT(*) FROM account_lookup", Integer.class)).isZero();
    }

    static Stream<Arguments> boundaryRegistrations() {
        return Stream.of(
                Arguments.of("name of 200", register("u", "n".repeat(200), "a@example.com", "alice", PASSWORD, POLICY, null)),
                Arguments.of("username of 3", register("u", "Alice", "a@example.com", "abc", PASSWORD, POLICY, null)),
                Arguments.of("username of 32", register("u", "Alice", "a@example.com", "a".repeat(32), PASSWORD, POLICY, null)),
                Arguments.of("password of 12", register("u", "Alice", "a@example.com", "alice", "kx7!qmz2bv9w", POLICY, null)),
                Arguments.of("password of 128", register("u", "Alice", "a@example.com", "alice", "kx7!qmz2bv9w".repeat(10) + "tr0uble8", POLICY, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("boundaryRegistrations")
    void valuesAtTheLimitsAreAccepted(String description, RegisterAccountCommand command) {
        fixture().givenNoPriorActivity().when(command)
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(org.axonframework.test.matchers.Matchers.payloadsMatching(
                        org.axonframework.test.matchers.Matchers.exactSequenceOf(
                                org.axonframework.test.matchers.Matchers.predicate(p -> p instanceof AccountRegisteredEvent),
                                org.axonframework.test.matchers.Matchers.andNoMore())));
    }

    @Test
    void emailTakenByAnotherAccountIsRejectedWhateverItsCase() {
        fixture().givenNoPriorActivity().when(register("u-1", "alice@example.com", "alice"))
                .expectSuccessfulHandlerExecution();

        Captured<Object> thrown = new Captured<>();
        fixture().givenNoPriorActivity().when(register("u-2", " ALICE@example.com", "alice2"))
                .expectNoEvents()
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.ALREADY_TAKEN, "email");
    }

    @Test
    void usernameTakenByAnotherAccountIsRejected() {
        fixture().givenNoPriorActivity().when(register("u-1", "alice@example.com", "alice"))
                .expectSuccessfulHandlerExecution();

        Captured<Object> thrown = new Captured<>();
        fixture().givenNoPriorActivity().when(register("u-2", "other@example.com", "alice"))
                .expectNoEvents()
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.ALREADY_TAKEN, "username");
    }

    @Test
    void claimsOfARejectedRegistrationRollBackWithTheCommandTransaction() {
        // The application runs commands in a Spring JDBC transaction; the lookup relies on it to undo a partial claim.
        FixtureConfiguration<Account> transactional = fixture();
        transactional.registerCommandHandlerInterceptor(new TransactionManagingInterceptor<>(
                new SpringTransactionManager(new DataSourceTransactionManager(support.dataSource))));
        fixture().givenNoPriorActivity().when(register("u-1", "alice@example.com", "alice"))
                .expectSuccessfulHandlerExecution();

        // email is free, username is taken: the email claim happens first and must not survive the failure
        transactional.givenNoPriorActivity().when(register("u-2", "bob@example.com", "alice"))
                .expectException(net.kimik2.api.platform.DomainException.class);

        assertThat(support.lookup.find(AccountLookup.Kind.EMAIL, "bob@example.com")).isEmpty();
        fixture().givenNoPriorActivity().when(register("u-3", "bob@example.com", "bob"))
                .expectSuccessfulHandlerExecution();
    }

    @Test
    void logoutEmitsLoggedOutEventForTheSession() {
        Instant now = Instant.parse("2025-07-02T08:00:00Z");
        fixture().given(registered("u-1"))
                .andGivenCurrentTime(now)
                .when(new LogoutCommand("u-1", "session-1"))
                .expectEvents(new UserLoggedOutEvent("u-1", "session-1", now));
    }

    @Test
    void logoutWithoutSessionIdIsRejected() {
        for (String sessionId : new String[] {null, "", "  "}) {
            Captured<Object> thrown = new Captured<>();
            fixture().given(registered("u-1"))
                    .when(new LogoutCommand("u-1", sessionId))
                    .expectNoEvents()
                    .expectException(thrown);
            assertDomainError(thrown.get(), ErrorCode.VALIDATION_FAILED, "sessionId");
        }
    }

    @Test
    void logoutAfterAnErasureRequestEmitsNothing() {
        // the erasure already ended every session
        Instant at = Instant.parse("2025-07-02T08:00:00Z");
        fixture().given(registered("u-1"), new net.kimik2.api.privacy.ErasureRequestedEvent("u-1", "r-1", at,
                        at.plusSeconds(86_400), "u-1", false, "GDPR Art. 17(1)(a)"))
                .when(new LogoutCommand("u-1", "session-1"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void logoutOfUnknownAccountFails() {
        fixture().givenNoPriorActivity()
                .when(new LogoutCommand("nobody", "session-1"))
                .expectException(AggregateNotFoundException.class);
    }

    static AccountRegisteredEvent registered(String userId) {
        return new AccountRegisteredEvent(userId, "Alice", "alice@example.com", "alice", HASHER.hash(PASSWORD), POLICY,
                Role.USER, Instant.parse("2025-07-01T00:00:00Z"));
    }
}
