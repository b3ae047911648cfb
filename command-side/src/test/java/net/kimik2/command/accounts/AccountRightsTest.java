package net.kimik2.command.accounts;

import static net.kimik2.command.accounts.AccountTestSupport.HASHER;
import static net.kimik2.command.accounts.AccountTestSupport.PASSWORD;
import static net.kimik2.command.accounts.AccountTestSupport.POLICY;
import static net.kimik2.command.accounts.AccountTestSupport.SETTINGS;
import static net.kimik2.command.testsupport.DomainErrors.assertDomainError;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.kimik2.api.accounts.AcceptPolicyCommand;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.ChangePasswordCommand;
import net.kimik2.api.accounts.DeviceRecordedEvent;
import net.kimik2.api.accounts.LoginCommand;
import net.kimik2.api.accounts.PasswordChangedEvent;
import net.kimik2.api.accounts.PolicyAcceptedEvent;
import net.kimik2.api.accounts.PrivacyChoicesSetEvent;
import net.kimik2.api.accounts.ProfileUpdatedEvent;
import net.kimik2.api.accounts.RevokeSessionCommand;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.accounts.SetPrivacyChoicesCommand;
import net.kimik2.api.accounts.UpdateProfileCommand;
import net.kimik2.api.accounts.UserLoggedInEvent;
import net.kimik2.api.accounts.UserLoggedOutEvent;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.privacy.DataExportRequestedEvent;
import net.kimik2.api.privacy.LegalHoldPlacedEvent;
import net.kimik2.api.privacy.LegalHoldReleasedEvent;
import net.kimik2.api.privacy.PlaceLegalHoldCommand;
import net.kimik2.api.privacy.RequestDataExportCommand;
import net.kimik2.api.privacy.RequestErasureCommand;
import net.kimik2.command.testsupport.Captured;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rectification, choices, policy acceptance, session revocation, devices and legal holds on the account. */
class AccountRightsTest {

    private static final String USER = "u-1";
    private static final Instant NOW = Instant.parse("2025-07-05T12:00:00Z");
    private static final Map<String, String> ADMIN = Map.of("actorId", "admin-1", "actorRole", Role.ADMIN.name());
    private static final Map<String, String> SELF = Map.of("actorId", USER, "actorRole", Role.USER.name());
    private static final String HASH = HASHER.hash(PASSWORD);
    private static final String PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            + "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

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
        support.lookup.claim(AccountLookup.Kind.EMAIL, "alice@example.com", USER);
        support.lookup.claim(AccountLookup.Kind.USERNAME, "alice", USER);
    }

    private static AccountRegisteredEvent registered() {
        return new AccountRegisteredEvent(USER, "Alice Liddell", "alice@example.com", "alice", HASH, POLICY, Role.USER,
                NOW.minus(Duration.ofDays(3)));
    }

    @Test
    void anEmailChangeNeedsThePasswordClaimsTheNewEmailAndReleasesTheOld() {
        fixture.given(registered()).andGivenCurrentTime(NOW)
                .when(new UpdateProfileCommand(USER, null, "alice@new.example", "wrong password!"))
                .expectNoEvents().expectException(net.kimik2.api.platform.DomainException.class);
        fixture.given(registered()).andGivenCurrentTime(NOW)
                .when(new UpdateProfileCommand(USER, " Alice L. ", " Alice@New.Example ", PASSWORD))
                .expectEvents(new ProfileUpdatedEvent(USER, "Alice L.", "alice@new.example", true, NOW));
        assertThat(support.lookup.find(AccountLookup.Kind.EMAIL, "alice@new.example")).contains(USER);
        assertThat(support.lookup.find(AccountLookup.Kind.EMAIL, "alice@example.com")).isEmpty();
    }

    @Test
    void aNameChangeAloneNeedsNoPasswordAndATakenEmailIsRefused() {
        support.lookup.claim(AccountLookup.Kind.EMAIL, "bob@example.com", "u-2");
        fixture.given(registered()).andGivenCurrentTime(NOW)
                .when(new UpdateProfileCommand(USER, "Alice B", null, null))
                .expectEvents(new ProfileUpdatedEvent(USER, "Alice B", "alice@example.com", false, NOW));
        Captured<Object> thrown = new Captured<>();
        fixture.given(registered()).when(new UpdateProfileCommand(USER, null, "bob@example.com", PASSWORD))
                .expectNoEvents().expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.ALREADY_TAKEN, "email");
        assertThat(support.lookup.find(AccountLookup.Kind.EMAIL, "alice@example.com")).contains(USER);
    }

    @Test
    void aPasswordChangeKeepsOnlyTheCurrentSession() {
        Captured<List<EventMessage<?>>> events = new Captured<>();
        fixture.given(registered(), new UserLoggedInEvent(USER, "s-1", NOW, NOW.plusSeconds(60)))
                .andGivenCurrentTime(NOW)
                .when(new ChangePasswordCommand(USER, PASSWORD, "another long passphrase 7", "s-1"))
                .expectEventsMatching(events);
        PasswordChangedEvent changed = (PasswordChangedEvent) events.get().get(0).getPayload();
        assertThat(changed.keptSessionId()).isEqualTo("s-1");
        assertThat(HASHER.matches("another long passphrase 7", changed.passwordHash())).isTrue();
    }

    @Test
    void choicesAreRecordedWithTimeAndPolicyVersionAndOmittedOnesStay() {
        fixture.given(registered(), new PrivacyChoicesSetEvent(USER, false, true, false, POLICY, NOW.minusSeconds(5)))
                .andGivenCurrentTime(NOW)
                .when(new SetPrivacyChoicesCommand(USER, true, null, null))
                .expectEvents(new PrivacyChoicesSetEvent(USER, true, true, false, POLICY, NOW));
    }

    @Test
    void onlyTheCurrentPolicyVersionCanBeAccepted() {
        fixture.given(registered()).andGivenCurrentTime(NOW).when(new AcceptPolicyCommand(USER, POLICY))
                .expectEvents(new PolicyAcceptedEvent(USER, POLICY, NOW));
        Captured<Object> thrown = new Captured<>();
        fixture.given(registered()).when(new AcceptPolicyCommand(USER, "1999-01")).expectNoEvents().expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.VALIDATION_FAILED, "version");
    }

    @Test
    void aSessionCanBeRevokedOnceAndOnlyIfItIsTheirs() {
        fixture.given(registered(), new UserLoggedInEvent(USER, "s-1", NOW, NOW.plusSeconds(60)))
                .andGivenCurrentTime(NOW).when(new RevokeSessionCommand(USER, "s-1"))
                .expectEvents(new UserLoggedOutEvent(USER, "s-1", NOW)).expectResultMessagePayload(true);
        fixture.given(registered(), new UserLoggedInEvent(USER, "s-1", NOW, NOW.plusSeconds(60)),
                        new UserLoggedOutEvent(USER, "s-1", NOW))
                .when(new RevokeSessionCommand(USER, "s-1")).expectNoEvents().expectResultMessagePayload(false);
        fixture.given(registered()).when(new RevokeSessionCommand(USER, "someone-elses"))
                .expectNoEvents().expectResultMessagePayload(false);
    }

    @Test
    void aLoginRecordsTheDeviceAndMarksANewOne() {
        Captured<List<EventMessage<?>>> events = new Captured<>();
        fixture.given(registered(), new DeviceRecordedEvent("s-0", USER, "desktop", "Windows", "Chrome", "10.0.0.1",
                        false, NOW.minusSeconds(60)))
                .andGivenCurrentTime(NOW)
                .when(new LoginCommand("alice", PASSWORD, PHONE, "10.0.0.2"))
                .expectEventsMatching(events);
        assertThat(events.get()).hasSize(2);
        DeviceRecordedEvent device = (DeviceRecordedEvent) events.get().get(1).getPayload();
        assertThat(device.deviceType()).isEqualTo("mobile");
        assertThat(device.os()).isEqualTo("iOS");
        assertThat(device.browser()).isEqualTo("Mobile Safari");
        assertThat(device.ipAddress()).isEqualTo("10.0.0.2");
        assertThat(device.newDevice()).isTrue();
    }

    @Test
    void aLegalHoldIsAdminOnlyNeedsAReasonAndSuspendsErasure() {
        fixture.given(registered()).when(new PlaceLegalHoldCommand(USER, "litigation"), SELF)
                .expectNoEvents().expectException(net.kimik2.api.platform.DomainException.class);
        Captured<Object> thrown = new Captured<>();
        fixture.given(registered()).when(new PlaceLegalHoldCommand(USER, " "), ADMIN).expectNoEvents().expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.VALIDATION_FAILED, "reason");
        fixture.given(registered()).andGivenCurrentTime(NOW).when(new PlaceLegalHoldCommand(USER, "litigation"), ADMIN)
                .expectEvents(new LegalHoldPlacedEvent(USER, "litigation", "admin-1", NOW));
        Captured<Object> refused = new Captured<>();
        fixture.given(registered(), new LegalHoldPlacedEvent(USER, "litigation", "admin-1", NOW))
                .when(new RequestErasureCommand(USER, "alice", false, null), SELF).expectNoEvents().expectException(refused);
        assertDomainError(refused.get(), ErrorCode.VALIDATION_FAILED, "legalHold");
        fixture.given(registered(), new LegalHoldPlacedEvent(USER, "litigation", "admin-1", NOW),
                        new LegalHoldReleasedEvent(USER, "admin-1", NOW))
                .when(new RequestErasureCommand(USER, "alice", false, null), SELF).expectSuccessfulHandlerExecution();
    }

    @Test
    void anExportRequestIsAnEvent() {
        fixture.given(registered()).andGivenCurrentTime(NOW).when(new RequestDataExportCommand(USER, "x-1"))
                .expectEvents(new DataExportRequestedEvent(USER, "x-1", NOW)).expectResultMessagePayload("x-1");
    }
}
