package net.kimik2.command.credits;

import java.time.Instant;
import java.util.List;
import net.kimik2.api.credits.BucketDraw;
import net.kimik2.api.credits.CaptureCreditsCommand;
import net.kimik2.api.credits.ClawBackCreditsCommand;
import net.kimik2.api.credits.CreditLedgerOpenedEvent;
import net.kimik2.api.credits.CreditsCapturedEvent;
import net.kimik2.api.credits.CreditsClawedBackEvent;
import net.kimik2.api.credits.CreditsGrantedEvent;
import net.kimik2.api.credits.CreditsHeldEvent;
import net.kimik2.api.credits.CreditsReleasedEvent;
import net.kimik2.api.credits.GrantCreditsCommand;
import net.kimik2.api.credits.GrantType;
import net.kimik2.api.credits.HoldDisputedCreditsCommand;
import net.kimik2.api.credits.ReleaseCode;
import net.kimik2.api.credits.ReleaseCreditsCommand;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Refunds and disputes on the ledger: claw-backs down to a debt, dispute holds, write-offs. */
class CreditLedgerClawBackTest {

    private static final String LEDGER = "ledger-u-1";
    private static final String USER = "u-1";
    private static final Instant NOW = Instant.parse("2026-07-01T12:00:00Z");

    private FixtureConfiguration<CreditLedger> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(CreditLedger.class);
    }

    private static CreditsGrantedEvent paid(String grantId, long amount) {
        return new CreditsGrantedEvent(LEDGER, USER, grantId, amount, GrantType.PAID, "stripe:pack:p", 60, NOW, null);
    }

    @Test
    void aClawBackTakesWhatIsLeftOfTheGrant() {
        fixture.givenCurrentTime(NOW)
                .andGiven(new CreditLedgerOpenedEvent(LEDGER, USER, NOW), paid("pay-1", 1_000))
                .when(new ClawBackCreditsCommand(LEDGER, "pay-1:refund:400", "pay-1", 400, null))
                .expectEvents(new CreditsClawedBackEvent(LEDGER, USER, "pay-1:refund:400", "pay-1", 400, 400, 0,
                        NOW));
    }

    @Test
    void whatWasAlreadySpentBecomesADebtThatTheNextGrantRepaysFirst() {
        fixture.givenCurrentTime(NOW)
                .andGiven(new CreditLedgerOpenedEvent(LEDGER, USER, NOW), paid("pay-1", 1_000),
                        new CreditsHeldEvent(LEDGER, USER, "h-1", 900, "c-1", NOW, NOW.plusSeconds(60)),
                        new CreditsReleasedEvent(LEDGER, USER, "h-1", 900, ReleaseCode.SETTLED, NOW),
                        new CreditsCapturedEvent(LEDGER, USER, "h-1", 900, List.of(new BucketDraw("pay-1", 900)), 0,
                                NOW),
                        new CreditsClawedBackEvent(LEDGER, USER, "pay-1:refund:1000", "pay-1", 1_000, 100, 900, NOW))
                // the debt of 900 is repaid from the next grant: only 100 of 1,000 is left to spend
                .when(new GrantCreditsCommand(LEDGER, "pay-2", 1_000, GrantType.PAID, "stripe:pack:p", null, 60))
                .expectEvents(paid("pay-2", 1_000))
                .expectState(ledger -> org.assertj.core.api.Assertions.assertThat(ledger).extracting("debt")
                        .isEqualTo(0L));
    }

    @Test
    void aClawBackIsAppliedOnce() {
        fixture.givenCurrentTime(NOW)
                .andGiven(new CreditLedgerOpenedEvent(LEDGER, USER, NOW), paid("pay-1", 1_000),
                        new CreditsClawedBackEvent(LEDGER, USER, "k", "pay-1", 400, 400, 0, NOW))
                .when(new ClawBackCreditsCommand(LEDGER, "k", "pay-1", 400, null))
                .expectNoEvents();
    }

    @Test
    void aClawBackOfAGrantNeverMadeTakesNothing() {
        fixture.givenCurrentTime(NOW)
                .andGiven(new CreditLedgerOpenedEvent(LEDGER, USER, NOW))
                .when(new ClawBackCreditsCommand(LEDGER, "k", "pay-9", 400, null))
                .expectNoEvents();
    }

    @Test
    void aDisputeHoldIsPlacedWhateverTheBalanceAndNeverExpires() {
        fixture.givenCurrentTime(NOW)
                .andGiven(new CreditLedgerOpenedEvent(LEDGER, USER, NOW), paid("pay-1", 100))
                .when(new HoldDisputedCreditsCommand(LEDGER, "pay-1:dispute:dp", "pay-1", 1_000))
                .expectEvents(new CreditsHeldEvent(LEDGER, USER, "pay-1:dispute:dp", 1_000, "pay-1", NOW, null))
                .expectNoScheduledDeadlines();
    }

    @Test
    void aWonDisputeReleasesItsHold() {
        fixture.givenCurrentTime(NOW)
                .andGiven(new CreditLedgerOpenedEvent(LEDGER, USER, NOW), paid("pay-1", 1_000),
                        new CreditsHeldEvent(LEDGER, USER, "d", 1_000, "pay-1", NOW, null))
                .when(new ReleaseCreditsCommand(LEDGER, "d", ReleaseCode.DISPUTE_WON))
                .expectEvents(new CreditsReleasedEvent(LEDGER, USER, "d", 1_000, ReleaseCode.DISPUTE_WON, NOW));
    }

    @Test
    void aLostDisputeTurnsItsHoldIntoAWriteOff() {
        fixture.givenCurrentTime(NOW)
                .andGiven(new CreditLedgerOpenedEvent(LEDGER, USER, NOW), paid("pay-1", 1_000),
                        new CreditsHeldEvent(LEDGER, USER, "d", 1_000, "pay-1", NOW, null))
                .when(new ClawBackCreditsCommand(LEDGER, "pay-1:dispute-lost:dp", "pay-1", 1_000, "d"))
                .expectEvents(new CreditsReleasedEvent(LEDGER, USER, "d", 1_000, ReleaseCode.DISPUTE_LOST, NOW),
                        new CreditsClawedBackEvent(LEDGER, USER, "pay-1:dispute-lost:dp", "pay-1", 1_000, 1_000, 0,
                                NOW));
    }

    @Test
    void aCaptureAfterAClawBackSeesTheSmallerBucket() {
        fixture.givenCurrentTime(NOW)
                .andGiven(new CreditLedgerOpenedEvent(LEDGER, USER, NOW), paid("pay-1", 1_000),
                        new CreditsClawedBackEvent(LEDGER, USER, "k", "pay-1", 600, 600, 0, NOW),
                        new CreditsHeldEvent(LEDGER, USER, "h", 400, "c", NOW, NOW.plusSeconds(60)))
                .when(new CaptureCreditsCommand(LEDGER, "h", 500))
                .expectEvents(new CreditsReleasedEvent(LEDGER, USER, "h", 400, ReleaseCode.SETTLED, NOW),
                        new CreditsCapturedEvent(LEDGER, USER, "h", 500, List.of(new BucketDraw("pay-1", 400)), 100,
                                NOW));
    }
}
