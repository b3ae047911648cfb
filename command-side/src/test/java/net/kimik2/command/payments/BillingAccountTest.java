package net.kimik2.command.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.kimik2.api.payments.CancelSubscriptionCommand;
import net.kimik2.api.payments.CheckoutOutcome;
import net.kimik2.api.payments.EndSubscriptionCommand;
import net.kimik2.api.payments.EraseStripeCustomerCommand;
import net.kimik2.api.payments.PaymentKind;
import net.kimik2.api.payments.RecordSubscriptionCommand;
import net.kimik2.api.payments.StartCheckoutCommand;
import net.kimik2.api.payments.StripeCustomerCreatedEvent;
import net.kimik2.api.payments.StripeCustomerErasedEvent;
import net.kimik2.api.payments.SubscriptionCancelRequestedEvent;
import net.kimik2.api.payments.SubscriptionEndedEvent;
import net.kimik2.api.payments.SubscriptionStartedEvent;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BillingAccountTest {

    private static final String ACCOUNT = "billing-u-1";
    private static final Instant NOW = Instant.parse("2026-07-01T12:00:00Z");

    /** Stripe's side, as the port sees it: what was called with which idempotency key. */
    static final class RecordingStripe implements StripeGateway {
        final boolean enabled;
        final List<String> calls = new ArrayList<>();

        RecordingStripe(boolean enabled) {
            this.enabled = enabled;
        }

        @Override
        public boolean enabled() {
            return enabled;
        }

        @Override
        public String createCustomer(String userId, String idempotencyKey) {
            calls.add("customer " + idempotencyKey);
            return "cus_1";
        }

        @Override
        public CheckoutSession createCheckoutSession(CheckoutRequest request, String idempotencyKey) {
            calls.add("session " + request.customerId() + " " + request.itemId() + " " + request.credits() + " "
                    + idempotencyKey);
            return new CheckoutSession("cs_1", "https://checkout.stripe.com/c/pay/cs_1");
        }

        @Override
        public void cancelAtPeriodEnd(String subscriptionId, String idempotencyKey) {
            calls.add("cancel " + subscriptionId + " " + idempotencyKey);
        }

        @Override
        public void deleteCustomer(String customerId, String idempotencyKey) {
            calls.add("delete " + customerId + " " + idempotencyKey);
        }
    }

    private FixtureConfiguration<BillingAccount> fixture;
    private RecordingStripe stripe;

    private void setUp(boolean enabled) {
        fixture = new AggregateTestFixture<>(BillingAccount.class);
        stripe = new RecordingStripe(enabled);
        fixture.registerInjectableResource(stripe);
        fixture.registerInjectableResource(new PaymentsCatalogue(
                List.of(new PaymentsCatalogue.Pack("pack-5", 5_000_000, 500, "usd", null, "2026-01-01T00:00:00Z"),
                        new PaymentsCatalogue.Pack("pack-5", 6_000_000, 500, "usd", null, "2026-06-01T00:00:00Z"),
                        new PaymentsCatalogue.Pack("pack-5", 9_000_000, 500, "usd", null, "2099-01-01T00:00:00Z")),
                List.of(new PaymentsCatalogue.Plan("plan-monthly", 12_000_000, 1_000, "usd", "month", null, null)),
                java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC)));
    }

    @BeforeEach
    void enabled() {
        setUp(true);
    }

    @Test
    void theFirstCheckoutCreatesTheCustomerAndStampsTheVersionInEffect() {
        fixture.givenCurrentTime(NOW)
                .when(new StartCheckoutCommand(ACCOUNT, "u-1", PaymentKind.PACK, "pack-5", "r-1"))
                .expectEvents(new StripeCustomerCreatedEvent(ACCOUNT, "u-1", "cus_1", NOW))
                .expectResultMessagePayload(new CheckoutOutcome.SessionCreated(
                        "https://checkout.stripe.com/c/pay/cs_1", "cs_1"));
        assertThat(stripe.calls).containsExactly("customer customer-u-1", "session cus_1 pack-5 6000000 checkout-r-1");
    }

    @Test
    void withoutAStripeKeyCheckoutIsUnavailableAndCallsNothing() {
        setUp(false);
        fixture.givenCurrentTime(NOW)
                .when(new StartCheckoutCommand(ACCOUNT, "u-1", PaymentKind.PERIOD, "plan-monthly", "r-1"))
                .expectResultMessagePayloadMatching(org.hamcrest.Matchers.instanceOf(CheckoutOutcome.Unavailable.class));
        assertThat(stripe.calls).isEmpty();
    }

    @Test
    void anUnknownPackIsAValidationError() {
        fixture.givenCurrentTime(NOW)
                .when(new StartCheckoutCommand(ACCOUNT, "u-1", PaymentKind.PACK, "pack-404", "r-1"))
                .expectException(net.kimik2.api.platform.DomainException.class);
        assertThat(stripe.calls).isEmpty();
    }

    @Test
    void cancelEndsThePlanAtPeriodEndOnce() {
        fixture.givenCurrentTime(NOW)
                .andGiven(new StripeCustomerCreatedEvent(ACCOUNT, "u-1", "cus_1", NOW),
                        new SubscriptionStartedEvent(ACCOUNT, "u-1", "sub_1", "plan-monthly", NOW))
                .when(new CancelSubscriptionCommand(ACCOUNT))
                .expectEvents(new SubscriptionCancelRequestedEvent(ACCOUNT, "u-1", "plan-monthly", NOW))
                .expectResultMessagePayload(true);
        assertThat(stripe.calls).containsExactly("cancel sub_1 cancel-sub_1");
    }

    @Test
    void aSubscriptionDeletedBeforeItsStartWasSeenNeverStarts() {
        fixture.givenCurrentTime(NOW)
                .andGiven(new SubscriptionEndedEvent(ACCOUNT, "u-1", "sub_1", null, NOW))
                .when(new RecordSubscriptionCommand(ACCOUNT, "u-1", "sub_1", "cus_1", "plan-monthly"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW)
                .andGiven(new SubscriptionStartedEvent(ACCOUNT, "u-1", "sub_1", "plan-monthly", NOW))
                .when(new EndSubscriptionCommand(ACCOUNT, "u-1", "sub_1"))
                .expectEvents(new SubscriptionEndedEvent(ACCOUNT, "u-1", "sub_1", "plan-monthly", NOW));
    }

    @Test
    void erasureDeletesTheCustomerAtStripe() {
        fixture.givenCurrentTime(NOW)
                .andGiven(new StripeCustomerCreatedEvent(ACCOUNT, "u-1", "cus_1", NOW))
                .when(new EraseStripeCustomerCommand(ACCOUNT))
                .expectEvents(new StripeCustomerErasedEvent(ACCOUNT, "u-1", true, NOW));
        assertThat(stripe.calls).containsExactly("delete cus_1 erase-billing-u-1");
    }
}
