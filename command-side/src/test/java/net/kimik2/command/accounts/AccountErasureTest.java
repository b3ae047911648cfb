package net.kimik2.command.accounts;

import static net.kimik2.command.accounts.AccountTestSupport.HASHER;
import static net.kimik2.command.accounts.AccountTestSupport.PASSWORD;
import static net.kimik2.command.accounts.AccountTestSupport.POLICY;
import static net.kimik2.command.accounts.AccountTestSupport.SETTINGS;
import static net.kimik2.command.testsupport.DomainErrors.assertDomainError;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.LoginCommand;
import net.kimik2.api.accounts.LoginOutcome;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.privacy.CompleteErasureCommand;
import net.kimik2.api.privacy.ErasureCertificate;
import net.kimik2.api.privacy.ErasureCompletedEvent;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.api.privacy.RequestErasureCommand;
import net.kimik2.command.testsupport.Captured;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Step 1 (request) and step 5 (completion) of an erasure on the account aggregate, and their effect on login. */
class AccountErasureTest {

    private static final String USER = "u-1";
    private static final String OTHER = "u-2";
    private static final String ADMIN = "admin-1";
    private static final String USERNAME = "alice";
    private static final Instant REGISTERED = Instant.parse("2025-07-01T00:00:00Z");
    private static final Instant NOW = Instant.parse("2025-07-05T12:34:56Z");
    private static final String SELF_BASIS = "GDPR Art. 17(1)(a): request of the data subject";
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

    private static AccountRegisteredEvent registered(String userId, Role role) {
        return new AccountRegisteredEvent(userId, "Alice Liddell", "alice@example.com", USERNAME, HASH, POLICY, role,
                REGISTERED);
    }

    private static AccountRegisteredEvent registered() {
        return registered(USER, Role.USER);
    }

    private static Map<String, Object> actor(String actorId, Role role) {
        return Map.of("actorId", actorId, "actorRole", role.name());
    }

    private static ErasureRequestedEvent requested(String requestId) {
        return new ErasureRequestedEvent(USER, requestId, NOW, NOW.plus(Duration.ofDays(30)), USER, false, SELF_BASIS);
    }

    private static ErasureCertificate certificate(String requestId) {
        return new ErasureCertificate(requestId, USER, List.of("user:" + USER), List.of("0123456789abcdef"), 4, 2, NOW,
                NOW.plusSeconds(3), USER, SELF_BASIS);
    }

    /** Runs a request expected to succeed with one event; answers the event, checked against the returned id. */
    private ErasureRequestedEvent requestSucceeds(RequestErasureCommand command, Map<String, ?> metaData,
                                                  Object... history) {
        Captured<List<EventMessage<?>>> events = new Captured<>();
        Captured<Object> result = new Captured<>();
        fixture.given(history)
                .andGivenCurrentTime(NOW)
                .when(command, metaData)
                .expectSuccessfulHandlerExecution()
                .expectResultMessagePayloadMatching(result)
                .expectEventsMatching(events);
        assertThat(events.get()).hasSize(1);
        ErasureRequestedEvent event = (ErasureRequestedEvent) events.get().get(0).getPayload();
        assertThat(result.get()).as("the command answers the request id").isEqualTo(event.requestId());
        assertThat(event.requestId()).isNotBlank();
        return event;
    }

    private Object requestFails(RequestErasureCommand command, Map<String, ?> metaData, Object... history) {
        Captured<Object> thrown = new Captured<>();
        fixture.given(history)
                .andGivenCurrentTime(NOW)
                .when(command, metaData)
                .expectNoEvents()
                .expectException(thrown);
        return thrown.get();
    }

    // ---- self-service requests ---------------------------------------------------------------------------------

    @Test
    void thePersonRequestsTheirOwnErasure() {
        ErasureRequestedEvent event = requestSucceeds(new RequestErasureCommand(USER, USERNAME, false, null),
                actor(USER, Role.USER), registered());

        assertThat(event.userId()).isEqualTo(USER);
        assertThat(event.requestedAt()).isEqualTo(NOW);
        assertThat(event.deadline()).isEqualTo(NOW.plus(Duration.ofDays(30)));
        assertThat(event.actorId()).isEqualTo(USER);
        assertThat(event.adminInitiated()).isFalse();
        assertThat(event.legalBasis()).isEqualTo(SELF_BASIS);
    }

    @Test
    void theConfirmationIgnoresSurroundingBlanks() {
        requestSucceeds(new RequestErasureCommand(USER, "  alice ", false, null), actor(USER, Role.USER), registered());
    }

    @Test
    void aWrongOrMissingConfirmationIsRejected() {
        for (String confirm : Arrays.asList("bob", "alic", "alice2", "ALICE", "", "   ", null)) {
            Object thrown = requestFails(new RequestErasureCommand(USER, confirm, false, null),
                    actor(USER, Role.USER), registered());
            assertDomainError(thrown, ErrorCode.VALIDATION_FAILED, "confirmUsername");
        }
    }

    @Test
    void anotherUserCannotRequestSomeonesErasure() {
        // even knowing the right username, and whatever their role on the self-service path
        assertDomainError(requestFails(new RequestErasureCommand(USER, USERNAME, false, null),
                actor(OTHER, Role.USER), registered()), ErrorCode.FORBIDDEN, null);
        assertDomainError(requestFails(new RequestErasureCommand(USER, USERNAME, false, null),
                actor(ADMIN, Role.ADMIN), registered()), ErrorCode.FORBIDDEN, null);
    }

    @Test
    void aRequestWithoutActorIsForbidden() {
        assertDomainError(requestFails(new RequestErasureCommand(USER, USERNAME, false, null), Map.of(), registered()),
                ErrorCode.FORBIDDEN, null);
    }

    // ---- admin-initiated requests ------------------------------------------------------------------------------

    @Test
    void anAdminErasesAnotherPersonWithTheDefaultLegalBasis() {
        for (String basis : Arrays.asList(null, "", "   ")) {
            ErasureRequestedEvent event = requestSucceeds(new RequestErasureCommand(USER, null, true, basis),
                    actor(ADMIN, Role.ADMIN), registered());
            assertThat(event.adminInitiated()).isTrue();
            assertThat(event.actorId()).isEqualTo(ADMIN);
            assertThat(event.legalBasis()).isEqualTo("GDPR Art. 17(1)");
            assertThat(event.deadline()).isEqualTo(NOW.plus(Duration.ofDays(30)));
        }
    }

    @Test
    void anAdminsLegalBasisIsKeptTrimmed() {
        ErasureRequestedEvent event = requestSucceeds(
                new RequestErasureCommand(USER, null, true, "  GDPR Art. 17(1)(d): unlawful processing "),
                actor(ADMIN, Role.ADMIN), registered());
        assertThat(event.legalBasis()).isEqualTo("GDPR Art. 17(1)(d): unlawful processing");
    }

    @Test
    void anOverlongLegalBasisIsRejected() {
        assertDomainError(requestFails(new RequestErasureCommand(USER, null, true, "x".repeat(201)),
                actor(ADMIN, Role.ADMIN), registered()), ErrorCode.VALIDATION_FAILED, "legalBasis");
        requestSucceeds(new RequestErasureCommand(USER, null, true, "x".repeat(200)), actor(ADMIN, Role.ADMIN),
                registered());
    }

    @Test
    void aNonAdminCannotUseTheAdminPath() {
        assertDomainError(requestFails(new RequestErasureCommand(USER, null, true, "court order"),
                actor(OTHER, Role.USER), registered()), ErrorCode.FORBIDDEN, null);
        // not even for their own account
        assertDomainError(requestFails(new RequestErasureCommand(USER, USERNAME, true, null),
                actor(USER, Role.USER), registered()), ErrorCode.FORBIDDEN, null);
        // nor with a role only claimed in the id
        assertDomainError(requestFails(new RequestErasureCommand(USER, null, true, null), Map.of("actorId", ADMIN),
                registered()), ErrorCode.FORBIDDEN, null);
    }

    @Test
    void anAdminErasesTheirOwnAccountOnlyThroughTheSelfServicePath() {
        Object thrown = requestFails(new RequestErasureCommand(USER, null, true, null), actor(USER, Role.ADMIN),
                registered(USER, Role.ADMIN));
        assertDomainError(thrown, ErrorCode.VALIDATION_FAILED, "userId");

        ErasureRequestedEvent event = requestSucceeds(new RequestErasureCommand(USER, USERNAME, false, null),
                actor(USER, Role.ADMIN), registered(USER, Role.ADMIN));
        assertThat(event.adminInitiated()).isFalse();
    }

    // ---- idempotency -------------------------------------------------------------------------------------------

    @Test
    void aRepeatedRequestAnswersTheFirstIdWithoutANewEvent() {
        fixture.given(registered(), requested("r-1"))
                .when(new RequestErasureCommand(USER, USERNAME, false, null), actor(USER, Role.USER))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents()
                .expectResultMessagePayload("r-1");
        // also once the erasure is complete (the username is gone from the aggregate by then)
        fixture.given(registered(), requested("r-1"), new ErasureCompletedEvent(USER, "r-1", certificate("r-1")))
                .when(new RequestErasureCommand(USER, USERNAME, false, null), actor(USER, Role.USER))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents()
                .expectResultMessagePayload("r-1");
        // and for an admin's repeated request
        fixture.given(registered(), requested("r-1"))
                .when(new RequestErasureCommand(USER, null, true, null), actor(ADMIN, Role.ADMIN))
                .expectNoEvents()
                .expectResultMessagePayload("r-1");
    }

    @Test
    void aRepeatedRequestByAnotherUserIsStillForbidden() {
        Captured<Object> thrown = new Captured<>();
        fixture.given(registered(), requested("r-1"))
                .when(new RequestErasureCommand(USER, USERNAME, false, null), actor(OTHER, Role.USER))
                .expectNoEvents()
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.FORBIDDEN, null);
    }

    // ---- completion --------------------------------------------------------------------------------------------

    @Test
    void completionWithTheRightRequestIdEmitsTheCertificateOnce() {
        ErasureCertificate certificate = certificate("r-1");
        fixture.given(registered(), requested("r-1"))
                .when(new CompleteErasureCommand(USER, certificate))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new ErasureCompletedEvent(USER, "r-1", certificate));

        fixture.given(registered(), requested("r-1"), new ErasureCompletedEvent(USER, "r-1", certificate))
                .when(new CompleteErasureCommand(USER, certificate))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void completionOfAnotherRequestEmitsNothing() {
        fixture.given(registered(), requested("r-1"))
                .when(new CompleteErasureCommand(USER, certificate("r-other")))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
        // nor without any request at all
        fixture.given(registered())
                .when(new CompleteErasureCommand(USER, certificate("r-1")))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    // ---- effect on login ---------------------------------------------------------------------------------------

    private void claimLookups() {
        support.lookup.claim(AccountLookup.Kind.EMAIL, "alice@example.com", USER);
        support.lookup.claim(AccountLookup.Kind.USERNAME, USERNAME, USER);
    }

    @Test
    void loginWorksBeforeAnErasureRequest() {
        claimLookups(); // control for the next test: the same setup logs in while no erasure is requested
        Captured<Object> result = new Captured<>();
        fixture.given(registered())
                .andGivenCurrentTime(NOW)
                .when(new LoginCommand(USERNAME, PASSWORD))
                .expectSuccessfulHandlerExecution()
                .expectResultMessagePayloadMatching(result);
        assertThat(((LoginOutcome) result.get()).userId()).isEqualTo(USER);
    }

    @Test
    void loginFailsOnceAnErasureIsRequested() {
        claimLookups();
        for (String login : List.of(USERNAME, "alice@example.com")) {
            Captured<Object> thrown = new Captured<>();
            fixture.given(registered(), requested("r-1"))
                    .andGivenCurrentTime(NOW)
                    .when(new LoginCommand(login, PASSWORD))
                    .expectNoEvents()
                    .expectException(thrown);
            assertDomainError(thrown.get(), ErrorCode.INVALID_CREDENTIALS, null);
        }
        Captured<Object> thrown = new Captured<>();
        fixture.given(registered(), requested("r-1"), new ErasureCompletedEvent(USER, "r-1", certificate("r-1")))
                .when(new LoginCommand(USERNAME, PASSWORD))
                .expectNoEvents()
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.INVALID_CREDENTIALS, null);
    }
}
