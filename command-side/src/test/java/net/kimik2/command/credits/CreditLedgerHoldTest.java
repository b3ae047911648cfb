package net.kimik2.command.credits;

import static net.kimik2.command.testsupport.DomainErrors.assertDomainError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.axonframework.test.matchers.Matchers.andNoMore;
import static org.axonframework.test.matchers.Matchers.exactSequenceOf;
import static org.axonframework.test.matchers.Matchers.payloadsMatching;
import static org.axonframework.test.matchers.Matchers.predicate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.kimik2.api.credits.BucketDraw;
import net.kimik2.api.credits.CaptureCreditsCommand;
import net.kimik2.api.credits.CreditHold;
import net.kimik2.api.credits.CreditLedgerOpenedEvent;
import net.kimik2.api.credits.CreditsCapturedEvent;
import net.kimik2.api.credits.CreditsGrantedEvent;
import net.kimik2.api.credits.CreditsHeldEvent;
import net.kimik2.api.credits.CreditsReleasedEvent;
import net.kimik2.api.credits.GrantCreditsCommand;
import net.kimik2.api.credits.GrantType;
import net.kimik2.api.credits.HoldCreditsCommand;
import net.kimik2.api.credits.ReleaseCode;
import net.kimik2.api.credits.ReleaseCreditsCommand;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.command.testsupport.Captured;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Holds, captures, releases and the hold expiry deadline of the credit ledger. */
class CreditLedgerHoldTest {

    private static final String LEDGER = "ledger-u-1";
    private static final String USER = "u-1";
    private static final Instant NOW = Instant.parse("2026-11-01T12:00:00Z");
    private static final Duration TTL = Duration.ofMinutes(15);
    private static final Instant EXPIRES = NOW.plus(TTL);

    private FixtureConfiguration<CreditLedger> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(CreditLedger.class);
    }

    private static CreditLedgerOpenedEvent opened() {
        return new CreditLedgerOpenedEvent(LEDGER, USER, NOW);
    }

    private static CreditsGrantedEvent grant(String id, long amount, int priority, Instant expiresAt) {
        return new CreditsGrantedEvent(LEDGER, USER, id, amount, GrantType.PROMOTIONAL, "signup", priority, NOW,
                expiresAt);
    }

    private static CreditsHeldEvent held(String holdId, long amount) {
        return new CreditsHeldEvent(LEDGER, USER, holdId, amount, "c-1", NOW, EXPIRES);
    }

    private static HoldCreditsCommand hold(String holdId, long amount) {
        return new HoldCreditsCommand(LEDGER, holdId, amount, "c-1", EXPIRES);
    }

    @Test
    void holdReservesCreditsAndSchedulesItsExpiry() {
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("g", 1000, 10, null))
                .when(hold("p-1", 400))
                .expectEvents(held("p-1", 400))
                .expectResultMessagePayload(new CreditHold("p-1", 400, "c-1", true))
                .expectScheduledDeadlineWithName(TTL, CreditLedger.HOLD_EXPIRY);
    }

    @Test
    void holdBeyondTheAvailableCreditsIsRefusedWithTheAmounts() {
        Captured<Object> thrown = new Captured<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("g", 1000, 10, null), held("p-1", 700))
                .when(hold("p-2", 301))
                .expectNoEvents()
                .expectException(thrown);
        DomainError error = assertDomainError(thrown.get(), ErrorCode.INSUFFICIENT_CREDITS, null);
        assertThat(error.amount("available")).isEqualTo(300);
        assertThat(error.amount("required")).isEqualTo(301);
    }

    @Test
    void holdUpToExactlyTheAvailableCreditsIsAccepted() {
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("g", 1000, 10, null), held("p-1", 700))
                .when(hold("p-2", 300))
                .expectEvents(held("p-2", 300));
    }

    @Test
    void expiredBucketsDoNotCount() {
        Captured<Object> thrown = new Captured<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("old", 1000, 10, NOW.minusSeconds(1)), grant("g", 100, 50, null))
                .when(hold("p-1", 101))
                .expectException(thrown);
        assertThat(assertDomainError(thrown.get(), ErrorCode.INSUFFICIENT_CREDITS, null).amount("available"))
                .isEqualTo(100);
    }

    @Test
    void repeatedHoldIdAnswersTheFirstHoldAndHoldsNothingMore() {
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("g", 1000, 10, null), held("p-1", 400))
                .when(hold("p-1", 900))
                .expectNoEvents()
                .expectResultMessagePayload(new CreditHold("p-1", 400, "c-1", false))
                .expectNoScheduledDeadlines();
    }

    @Test
    void captureSettlesTheHoldThenChargesByPriorityExpiryAndAge() {
        Instant soon = NOW.plus(Duration.ofDays(1));
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("late", 100, 10, null), grant("paid", 1000, 50, null),
                        grant("soon", 100, 10, soon), held("p-1", 600))
                .when(new CaptureCreditsCommand(LEDGER, "p-1", 250))
                .expectEvents(new CreditsReleasedEvent(LEDGER, USER, "p-1", 600, ReleaseCode.SETTLED, NOW),
                        new CreditsCapturedEvent(LEDGER, USER, "p-1", 250,
                                List.of(new BucketDraw("soon", 100), new BucketDraw("late", 100),
                                        new BucketDraw("paid", 50)), 0, NOW));
    }

    @Test
    void captureIsChargedOnce() {
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("g", 1000, 10, null), held("p-1", 600),
                        new CreditsReleasedEvent(LEDGER, USER, "p-1", 600, ReleaseCode.SETTLED, NOW),
                        new CreditsCapturedEvent(LEDGER, USER, "p-1", 250, List.of(new BucketDraw("g", 250)), 0, NOW))
                .when(new CaptureCreditsCommand(LEDGER, "p-1", 250))
                .expectNoEvents();
    }

    @Test
    void captureBeyondTheBucketsRecordsADebtThatBlocksHoldsAndIsPaidOffByTheNextGrant() {
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("g", 100, 10, null), held("p-1", 100))
                .when(new CaptureCreditsCommand(LEDGER, "p-1", 130))
                .expectEvents(new CreditsReleasedEvent(LEDGER, USER, "p-1", 100, ReleaseCode.SETTLED, NOW),
                        new CreditsCapturedEvent(LEDGER, USER, "p-1", 130, List.of(new BucketDraw("g", 100)), 30,
                                NOW));

        Captured<Object> thrown = new Captured<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("g", 100, 10, null), held("p-1", 100),
                        new CreditsReleasedEvent(LEDGER, USER, "p-1", 100, ReleaseCode.SETTLED, NOW),
                        new CreditsCapturedEvent(LEDGER, USER, "p-1", 130, List.of(new BucketDraw("g", 100)), 30, NOW))
                .when(hold("p-2", 1))
                .expectException(thrown);
        assertThat(assertDomainError(thrown.get(), ErrorCode.INSUFFICIENT_CREDITS, null).amount("available"))
                .isEqualTo(-30);

        // a grant of 100 pays the 30 of debt first: 70 are left to hold
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("g", 100, 10, null), held("p-1", 100),
                        new CreditsReleasedEvent(LEDGER, USER, "p-1", 100, ReleaseCode.SETTLED, NOW),
                        new CreditsCapturedEvent(LEDGER, USER, "p-1", 130, List.of(new BucketDraw("g", 100)), 30, NOW),
                        grant("g2", 100, 50, null))
                .when(hold("p-2", 70))
                .expectEvents(held("p-2", 70));
    }

    @Test
    void releaseGivesTheWholeHoldBackOnce() {
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("g", 1000, 10, null), held("p-1", 400))
                .when(new ReleaseCreditsCommand(LEDGER, "p-1", ReleaseCode.FAILED))
                .expectEvents(new CreditsReleasedEvent(LEDGER, USER, "p-1", 400, ReleaseCode.FAILED, NOW));
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("g", 1000, 10, null), held("p-1", 400),
                        new CreditsReleasedEvent(LEDGER, USER, "p-1", 400, ReleaseCode.FAILED, NOW))
                .when(new ReleaseCreditsCommand(LEDGER, "p-1", ReleaseCode.FAILED))
                .expectNoEvents();
    }

    @Test
    void releasingAnUnknownHoldIsNotFound() {
        Captured<Object> thrown = new Captured<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(opened())
                .when(new ReleaseCreditsCommand(LEDGER, "nope", ReleaseCode.FAILED))
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.NOT_FOUND, "holdId");
    }

    @Test
    void theExpiryDeadlineReleasesAHoldThatIsStillOpen() {
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("g", 1000, 10, null))
                .andGivenCommands(hold("p-1", 400))
                .whenTimeElapses(TTL.plusSeconds(1))
                .expectDeadlinesMet(new CreditLedger.HoldExpiry("p-1"))
                .expectEventsMatching(payloadsMatching(exactSequenceOf(predicate(e -> e instanceof CreditsReleasedEvent r
                        && r.holdId().equals("p-1") && r.amount() == 400 && r.code() == ReleaseCode.EXPIRED),
                        andNoMore())));
    }

    @Test
    void theExpiryDeadlineOfACapturedHoldDoesNothing() {
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("g", 1000, 10, null))
                .andGivenCommands(hold("p-1", 400), new CaptureCreditsCommand(LEDGER, "p-1", 120))
                .whenTimeElapses(TTL.plusSeconds(1))
                .expectDeadlinesMet(new CreditLedger.HoldExpiry("p-1"))
                .expectNoEvents();
    }

    @Test
    void aCaptureAfterTheHoldExpiredIsStillCharged() {
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), grant("g", 1000, 10, null), held("p-1", 400),
                        new CreditsReleasedEvent(LEDGER, USER, "p-1", 400, ReleaseCode.EXPIRED, EXPIRES))
                .when(new CaptureCreditsCommand(LEDGER, "p-1", 120))
                .expectEvents(new CreditsCapturedEvent(LEDGER, USER, "p-1", 120, List.of(new BucketDraw("g", 120)), 0,
                        NOW));
    }

    @Test
    void grantsStillWorkAlongsideHolds() {
        fixture.givenCurrentTime(NOW)
                .andGiven(opened(), held("p-0", 0 + 1))
                .when(new GrantCreditsCommand(LEDGER, "g", 10, GrantType.PAID, "purchase", null, 0))
                .expectEvents(new CreditsGrantedEvent(LEDGER, USER, "g", 10, GrantType.PAID, "purchase",
                        CreditLedger.DEFAULT_PRIORITY, NOW, null));
    }
}
