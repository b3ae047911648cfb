package net.kimik2.command.credits;

import static net.kimik2.command.testsupport.DomainErrors.assertDomainError;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import net.kimik2.api.credits.CreditLedgerOpenedEvent;
import net.kimik2.api.credits.CreditsGrantedEvent;
import net.kimik2.api.credits.GrantCreditsCommand;
import net.kimik2.api.credits.GrantType;
import net.kimik2.api.credits.OpenCreditLedgerCommand;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.command.testsupport.Captured;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CreditLedgerTest {

    private static final String LEDGER = "ledger-u-1";
    private static final String USER = "u-1";
    private static final Instant NOW = Instant.parse("2025-07-01T12:00:00Z");

    private FixtureConfiguration<CreditLedger> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(CreditLedger.class);
    }

    private static CreditLedgerOpenedEvent opened() {
        return new CreditLedgerOpenedEvent(LEDGER, USER, NOW);
    }

    private static CreditsGrantedEvent signupGrant(long amount) {
        return new CreditsGrantedEvent(LEDGER, USER, "signup-u-1", amount, GrantType.PROMOTIONAL, "signup",
                CreditLedger.SIGNUP_PRIORITY, NOW, null);
    }

    @Test
    void openCreatesLedgerWithSignupGrant() {
        fixture.givenCurrentTime(NOW)
                .when(new OpenCreditLedgerCommand(LEDGER, USER, "signup-u-1", 500_000))
                .expectSuccessfulHandlerExecution()
                .expectEvents(opened(), signupGrant(500_000));
    }

    @Test
    void openWithZeroCreditsGrantsNothing() {
        fixture.givenCurrentTime(NOW)
                .when(new OpenCreditLedgerCommand(LEDGER, USER, "signup-u-1", 0))
                .expectEvents(opened());
    }

    @Test
    void openWithNegativeCreditsIsRejected() {
        Captured<Object> thrown = new Captured<>();
        fixture.givenNoPriorActivity()
                .when(new OpenCreditLedgerCommand(LEDGER, USER, "signup-u-1", -1))
                .expectNoEvents()
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.VALIDATION_FAILED, "signupCredits");
    }

    @Test
    void redeliveredOpenCommandDoesNothing() {
        fixture.given(opened(), signupGrant(500_000))
                .when(new OpenCreditLedgerCommand(LEDGER, USER, "signup-u-1", 500_000))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void redeliveredOpenCommandOfAZeroLedgerDoesNothing() {
        fixture.given(opened())
                .when(new OpenCreditLedgerCommand(LEDGER, USER, "signup-u-1", 500_000))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void grantAddsABucketWithItsTerms() {
        Instant expires = NOW.plus(30, ChronoUnit.DAYS);
        fixture.given(opened())
                .andGivenCurrentTime(NOW)
                .when(new GrantCreditsCommand(LEDGER, "g-1", 1_000_000, GrantType.PAID, "stripe:pi_1", expires, 5))
                .expectEvents(new CreditsGrantedEvent(LEDGER, USER, "g-1", 1_000_000, GrantType.PAID, "stripe:pi_1", 5,
                        NOW, expires));
    }

    @Test
    void grantDefaultsTypeAndPriority() {
        fixture.given(opened())
                .andGivenCurrentTime(NOW)
                .when(new GrantCreditsCommand(LEDGER, "g-1", 10, null, "admin", null, 0))
                .expectEvents(new CreditsGrantedEvent(LEDGER, USER, "g-1", 10, GrantType.PROMOTIONAL, "admin",
                        CreditLedger.DEFAULT_PRIORITY, NOW, null));
    }

    @Test
    void repeatedGrantIdIsANoOp() {
        fixture.given(opened(), new CreditsGrantedEvent(LEDGER, USER, "g-1", 10, GrantType.PAID, "x", 50, NOW, null))
                .when(new GrantCreditsCommand(LEDGER, "g-1", 10, GrantType.PAID, "x", null, 50))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void grantReusingTheSignupGrantIdIsANoOp() {
        fixture.given(opened(), signupGrant(500_000))
                .when(new GrantCreditsCommand(LEDGER, "signup-u-1", 99, GrantType.PAID, "x", null, 0))
                .expectNoEvents();
    }

    @Test
    void idempotencyIsPerGrantIdNotPerAmount() {
        fixture.given(opened(), new CreditsGrantedEvent(LEDGER, USER, "g-1", 10, GrantType.PAID, "x", 50, NOW, null))
                .andGivenCurrentTime(NOW)
                .when(new GrantCreditsCommand(LEDGER, "g-2", 10, GrantType.PAID, "x", null, 50))
                .expectEvents(new CreditsGrantedEvent(LEDGER, USER, "g-2", 10, GrantType.PAID, "x", 50, NOW, null));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void nonPositiveGrantIsRejected(long amount) {
        Captured<Object> thrown = new Captured<>();
        fixture.given(opened())
                .when(new GrantCreditsCommand(LEDGER, "g-1", amount, GrantType.PAID, "x", null, 0))
                .expectNoEvents()
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.VALIDATION_FAILED, "amount");
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MAX_VALUE, Long.MAX_VALUE - 400_000, CreditLedger.MAX_BALANCE + 1})
    void grantThatWouldOverflowOrPassTheMaximumBalanceIsRejected(long amount) {
        Captured<Object> thrown = new Captured<>();
        fixture.given(opened(), signupGrant(500_000))
                .andGivenCurrentTime(NOW)
                .when(new GrantCreditsCommand(LEDGER, "g-huge", amount, GrantType.PAID, "admin", null, 0))
                .expectNoEvents()
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.VALIDATION_FAILED, "amount");
    }

    @Test
    void grantsMayFillTheBalanceUpToTheMaximumButNotBeyond() {
        long rest = CreditLedger.MAX_BALANCE - 500_000;
        fixture.given(opened(), signupGrant(500_000))
                .andGivenCurrentTime(NOW)
                .when(new GrantCreditsCommand(LEDGER, "g-1", rest, GrantType.PAID, "admin", null, 5))
                .expectEvents(new CreditsGrantedEvent(LEDGER, USER, "g-1", rest, GrantType.PAID, "admin", 5, NOW, null));
        Captured<Object> thrown = new Captured<>();
        fixture.given(opened(), signupGrant(500_000),
                        new CreditsGrantedEvent(LEDGER, USER, "g-1", rest, GrantType.PAID, "admin", 5, NOW, null))
                .andGivenCurrentTime(NOW)
                .when(new GrantCreditsCommand(LEDGER, "g-2", 1, GrantType.PAID, "admin", null, 5))
                .expectNoEvents()
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.VALIDATION_FAILED, "amount");
    }

    @Test
    void grantWithoutIdIsRejected() {
        for (String grantId : new String[] {null, " "}) {
            Captured<Object> thrown = new Captured<>();
            fixture.given(opened())
                    .when(new GrantCreditsCommand(LEDGER, grantId, 10, GrantType.PAID, "x", null, 0))
                    .expectNoEvents()
                    .expectException(thrown);
            assertDomainError(thrown.get(), ErrorCode.VALIDATION_FAILED, "grantId");
        }
    }

    @Test
    void grantExpiringNowOrEarlierIsRejected() {
        Captured<Object> thrown = new Captured<>();
        fixture.given(opened())
                .andGivenCurrentTime(NOW)
                .when(new GrantCreditsCommand(LEDGER, "g-1", 10, GrantType.PAID, "x", NOW, 0))
                .expectNoEvents()
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.VALIDATION_FAILED, "expiresAt");
    }

    @Test
    void grantToAMissingLedgerFails() {
        fixture.givenNoPriorActivity()
                .when(new GrantCreditsCommand(LEDGER, "g-1", 10, GrantType.PAID, "x", null, 0))
                .expectException(AggregateNotFoundException.class);
    }
}
