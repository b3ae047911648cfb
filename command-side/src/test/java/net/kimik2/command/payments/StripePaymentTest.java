package net.kimik2.command.payments;

import java.time.Instant;
import net.kimik2.api.payments.DisputeStatus;
import net.kimik2.api.payments.FulfilPaymentCommand;
import net.kimik2.api.payments.PaymentClawedBackEvent;
import net.kimik2.api.payments.PaymentDisputeHeldEvent;
import net.kimik2.api.payments.PaymentDisputeLostEvent;
import net.kimik2.api.payments.PaymentDisputeRecordedEvent;
import net.kimik2.api.payments.PaymentDisputeReleasedEvent;
import net.kimik2.api.payments.PaymentFulfilledEvent;
import net.kimik2.api.payments.PaymentKind;
import net.kimik2.api.payments.PaymentRefundRecordedEvent;
import net.kimik2.api.payments.RecordDisputeCommand;
import net.kimik2.api.payments.RecordRefundCommand;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StripePaymentTest {

    private static final String PAY = "payment-pi_1";
    private static final Instant NOW = Instant.parse("2026-07-01T12:00:00Z");

    private FixtureConfiguration<StripePayment> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(StripePayment.class);
    }

    private static FulfilPaymentCommand fulfil() {
        return new FulfilPaymentCommand(PAY, "u-1", PaymentKind.PACK, "pack-5", 5_000_000, 500, "usd", null, "cs_1",
                "visa", "4242");
    }

    private static PaymentFulfilledEvent fulfilled() {
        return new PaymentFulfilledEvent(PAY, "u-1", PaymentKind.PACK, "pack-5", PAY, 5_000_000, 500, "usd", null,
                "cs_1", "visa", "4242", NOW);
    }

    @Test
    void aPaidCheckoutIsFulfilledOnce() {
        fixture.givenCurrentTime(NOW).andGiven(fulfilled()).when(fulfil()).expectNoEvents();
    }

    @Test
    void aRefundSeenBeforeTheFulfilmentIsClawedBackRightAfterIt() {
        fixture.givenCurrentTime(NOW)
                .andGiven(new PaymentRefundRecordedEvent(PAY, 100, 500, "usd", NOW))
                .when(fulfil())
                .expectEvents(fulfilled(), new PaymentClawedBackEvent(PAY, "u-1", PAY, PAY + ":refund:1000000",
                        1_000_000, 100, "usd", NOW));
    }

    @Test
    void anOlderRefundTotalChangesNothing() {
        fixture.givenCurrentTime(NOW)
                .andGiven(fulfilled(), new PaymentRefundRecordedEvent(PAY, 300, 500, "usd", NOW),
                        new PaymentClawedBackEvent(PAY, "u-1", PAY, PAY + ":refund:3000000", 3_000_000, 300, "usd",
                                NOW))
                .when(new RecordRefundCommand(PAY, 100, 500, "usd"))
                .expectNoEvents();
    }

    @Test
    void aDisputeHoldsItsShareAndALossWritesItOff() {
        fixture.givenCurrentTime(NOW)
                .andGiven(fulfilled())
                .when(new RecordDisputeCommand(PAY, "dp_1", 250, DisputeStatus.OPEN))
                .expectEvents(new PaymentDisputeRecordedEvent(PAY, "dp_1", 250, DisputeStatus.OPEN, NOW),
                        new PaymentDisputeHeldEvent(PAY, "u-1", "dp_1", PAY, PAY + ":dispute:dp_1", 2_500_000, 250,
                                "usd", NOW));
        fixture.givenCurrentTime(NOW)
                .andGiven(fulfilled(), new PaymentDisputeRecordedEvent(PAY, "dp_1", 250, DisputeStatus.OPEN, NOW),
                        new PaymentDisputeHeldEvent(PAY, "u-1", "dp_1", PAY, PAY + ":dispute:dp_1", 2_500_000, 250,
                                "usd", NOW))
                .when(new RecordDisputeCommand(PAY, "dp_1", 250, DisputeStatus.LOST))
                .expectEvents(new PaymentDisputeRecordedEvent(PAY, "dp_1", 250, DisputeStatus.LOST, NOW),
                        new PaymentDisputeLostEvent(PAY, "u-1", "dp_1", PAY, PAY + ":dispute:dp_1",
                                PAY + ":dispute-lost:dp_1", 2_500_000, 250, "usd", NOW));
    }

    @Test
    void aWonDisputeReleasesAndAClosedDisputeNeverReopens() {
        fixture.givenCurrentTime(NOW)
                .andGiven(fulfilled(), new PaymentDisputeRecordedEvent(PAY, "dp_1", 500, DisputeStatus.OPEN, NOW),
                        new PaymentDisputeHeldEvent(PAY, "u-1", "dp_1", PAY, PAY + ":dispute:dp_1", 5_000_000, 500,
                                "usd", NOW))
                .when(new RecordDisputeCommand(PAY, "dp_1", 500, DisputeStatus.WON))
                .expectEvents(new PaymentDisputeRecordedEvent(PAY, "dp_1", 500, DisputeStatus.WON, NOW),
                        new PaymentDisputeReleasedEvent(PAY, "u-1", "dp_1", PAY + ":dispute:dp_1", 5_000_000, 500,
                                "usd", NOW));
        fixture.givenCurrentTime(NOW)
                .andGiven(new PaymentDisputeRecordedEvent(PAY, "dp_1", 500, DisputeStatus.WON, NOW))
                .when(new RecordDisputeCommand(PAY, "dp_1", 500, DisputeStatus.OPEN))
                .expectNoEvents();
    }
}
