package net.kimik2.command.payments;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import java.time.Instant;
import net.kimik2.api.payments.CancelSubscriptionCommand;
import net.kimik2.api.payments.CheckoutOutcome;
import net.kimik2.api.payments.EndSubscriptionCommand;
import net.kimik2.api.payments.EraseStripeCustomerCommand;
import net.kimik2.api.payments.StripeCustomerErasedEvent;
import net.kimik2.api.payments.PaymentKind;
import net.kimik2.api.payments.RecordSubscriptionCommand;
import net.kimik2.api.payments.StartCheckoutCommand;
import net.kimik2.api.payments.StripeCustomerCreatedEvent;
import net.kimik2.api.payments.SubscriptionCancelRequestedEvent;
import net.kimik2.api.payments.SubscriptionEndedEvent;
import net.kimik2.api.payments.SubscriptionStartedEvent;
import net.kimik2.api.platform.DomainException;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * A person's billing relationship with Stripe: their customer and their plan. Checkouts of one person are serialized
 * here, so two concurrent first checkouts cannot create two Stripe customers (and the customer call carries an
 * idempotency key derived from the user, so neither can a retry).
 */
@Aggregate
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
class BillingAccount {

    @AggregateIdentifier
    private String billingAccountId;
    private String userId;
    private String customerId;
    private String subscriptionId;
    private String planId;
    private boolean cancelRequested;
    /** Subscriptions Stripe already deleted: a late "completed" delivery for one of them starts nothing. */
    private java.util.Set<String> endedSubscriptions = new java.util.HashSet<>();

    BillingAccount() {
        // for Axon
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    CheckoutOutcome handle(StartCheckoutCommand command, StripeGateway stripe, PaymentsCatalogue catalogue) {
        boolean subscription = command.kind() == PaymentKind.PERIOD;
        String field = subscription ? "planId" : "packId";
        if (command.itemId() == null || command.itemId().isBlank()) {
            throw DomainException.validation(field, "an item id is required");
        }
        StripeGateway.CheckoutRequest request;
        if (subscription) {
            PaymentsCatalogue.Plan plan = catalogue.plan(command.itemId())
                    .orElseThrow(() -> DomainException.validation(field, "no such plan"));
            if (this.subscriptionId != null) {
                throw DomainException.validation(field, "a plan is already active");
            }
            request = new StripeGateway.CheckoutRequest(null, command.userId(), true, plan.id(),
                    plan.creditsPerPeriod(), plan.priceCents(), plan.currency(), plan.stripePriceId(),
                    plan.interval(), String.valueOf(plan.effectiveFrom()));
        } else {
            PaymentsCatalogue.Pack pack = catalogue.pack(command.itemId())
                    .orElseThrow(() -> DomainException.validation(field, "no such credit pack"));
            request = new StripeGateway.CheckoutRequest(null, command.userId(), false, pack.id(), pack.credits(),
                    pack.priceCents(), pack.currency(), pack.stripePriceId(), null,
                    String.valueOf(pack.effectiveFrom()));
        }
        if (!stripe.enabled()) {
            return new CheckoutOutcome.Unavailable();
        }
        if (customerId == null) {
            String created = stripe.createCustomer(command.userId(), "customer-" + command.userId());
            apply(new StripeCustomerCreatedEvent(command.billingAccountId(), command.userId(), created, now()));
        }
        StripeGateway.CheckoutSession session = stripe.createCheckoutSession(new StripeGateway.CheckoutRequest(
                customerId, request.userId(), request.subscription(), request.itemId(), request.credits(),
                request.priceCents(), request.currency(), request.stripePriceId(), request.interval(),
                request.catalogueVersion()), "checkout-" + command.requestId());
        return new CheckoutOutcome.SessionCreated(session.url(), session.id());
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    void handle(RecordSubscriptionCommand command) {
        if (command.subscriptionId() == null || command.subscriptionId().equals(subscriptionId)
                || endedSubscriptions.contains(command.subscriptionId())) {
            return;
        }
        if (customerId == null && command.customerId() != null) {
            apply(new StripeCustomerCreatedEvent(command.billingAccountId(), command.userId(), command.customerId(),
                    now()));
        }
        apply(new SubscriptionStartedEvent(command.billingAccountId(), command.userId(), command.subscriptionId(),
                command.planId(), now()));
    }

    @CommandHandler
    boolean handle(CancelSubscriptionCommand command, StripeGateway stripe) {
        if (subscriptionId == null) {
            return false;
        }
        if (!cancelRequested) {
            stripe.cancelAtPeriodEnd(subscriptionId, "cancel-" + subscriptionId);
            apply(new SubscriptionCancelRequestedEvent(billingAccountId, userId, planId, now()));
        }
        return true;
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    void handle(EndSubscriptionCommand command) {
        if (command.subscriptionId() == null || endedSubscriptions.contains(command.subscriptionId())) {
            return;
        }
        boolean current = command.subscriptionId().equals(subscriptionId);
        apply(new SubscriptionEndedEvent(command.billingAccountId(), command.userId(), command.subscriptionId(),
                current ? planId : null, now()));
    }

    @CommandHandler
    void handle(EraseStripeCustomerCommand command, StripeGateway stripe) {
        if (customerId == null) {
            return;
        }
        boolean deleted = false;
        if (stripe.enabled()) {
            stripe.deleteCustomer(customerId, "erase-" + billingAccountId);
            deleted = true;
        }
        apply(new StripeCustomerErasedEvent(billingAccountId, userId, deleted, now()));
    }

    @EventSourcingHandler
    void on(StripeCustomerErasedEvent event) {
        customerId = null;
        subscriptionId = null;
        planId = null;
    }

    @EventSourcingHandler
    void on(StripeCustomerCreatedEvent event) {
        billingAccountId = event.billingAccountId();
        userId = event.userId();
        customerId = event.customerId();
    }

    @EventSourcingHandler
    void on(SubscriptionStartedEvent event) {
        billingAccountId = event.billingAccountId();
        userId = event.userId();
        subscriptionId = event.subscriptionId();
        planId = event.planId();
        cancelRequested = false;
    }

    @EventSourcingHandler
    void on(SubscriptionCancelRequestedEvent event) {
        cancelRequested = true;
    }

    @EventSourcingHandler
    void on(SubscriptionEndedEvent event) {
        billingAccountId = event.billingAccountId();
        userId = event.userId();
        endedSubscriptions.add(event.subscriptionId());
        if (event.subscriptionId().equals(subscriptionId)) {
            subscriptionId = null;
            planId = null;
            cancelRequested = false;
        }
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }
}
