package net.kimik2.stripe.payments;

import com.stripe.exception.StripeException;
import com.stripe.model.Charge;
import com.stripe.model.Dispute;
import com.stripe.model.Invoice;
import com.stripe.model.InvoiceLineItem;
import com.stripe.model.PaymentIntent;
import com.stripe.model.Subscription;
import com.stripe.model.checkout.Session;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import net.kimik2.api.payments.DisputeStatus;
import net.kimik2.api.payments.EndSubscriptionCommand;
import net.kimik2.api.payments.FulfilPaymentCommand;
import net.kimik2.api.payments.PaymentIds;
import net.kimik2.api.payments.PaymentKind;
import net.kimik2.api.payments.RecordDisputeCommand;
import net.kimik2.api.payments.RecordRefundCommand;
import net.kimik2.api.payments.RecordSubscriptionCommand;
import net.kimik2.api.payments.StripeEventReceivedEvent;
import net.kimik2.command.payments.StripeGateway.Metadata;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Processes the inbox: for each recorded event it re-reads the current object from Stripe (the event's snapshot may
 * be stale or overtaken by a later change) and sends the payments capability an idempotent command. A failure (Stripe
 * unreachable, a command refused) puts the event in this processing group's dead-letter queue, from which it is
 * retried with back-off and which an admin can list and retry ({@link PaymentsDeadLetters}).
 */
@Component
@ProcessingGroup(StripeEventProcessor.GROUP)
class StripeEventProcessor {

    static final String GROUP = "payments-stripe-events";

    static final Set<String> HANDLED_TYPES = Set.of(
            "checkout.session.completed", "checkout.session.async_payment_succeeded",
            "invoice.paid",
            "charge.refunded", "charge.refund.updated",
            "charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed",
            "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated",
            "customer.subscription.deleted");

    private static final Logger log = LoggerFactory.getLogger(StripeEventProcessor.class);

    private final StripeApi stripe;
    private final CommandGateway commands;

    StripeEventProcessor(StripeApi stripe, CommandGateway commands) {
        this.stripe = stripe;
        this.commands = commands;
    }

    @EventHandler
    void on(StripeEventReceivedEvent event) throws StripeException {
        switch (event.type()) {
            case "checkout.session.completed", "checkout.session.async_payment_succeeded" ->
                    session(stripe.session(event.objectId()));
            case "invoice.paid" -> invoice(stripe.invoice(event.objectId()));
            case "charge.refunded", "charge.refund.updated" -> charge(event);
            case "charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed",
                 "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated" ->
                    dispute(stripe.dispute(event.objectId()));
            case "customer.subscription.deleted" -> subscriptionDeleted(stripe.subscription(event.objectId()));
            default -> log.debug("ignored Stripe event type {}", event.type());
        }
    }

    private void session(Session session) {
        Map<String, String> metadata = StripeObjects.metadata(session);
        String userId = metadata.get(Metadata.USER_ID);
        if (userId == null) {
            log.info("checkout session {} was not started by this service; ignored", session.getId());
            return;
        }
        if ("subscription".equals(session.getMode())) {
            if (session.getSubscription() != null) {
                commands.sendAndWait(new RecordSubscriptionCommand(PaymentIds.billingAccount(userId), userId,
                        session.getSubscription(), session.getCustomer(), metadata.get(Metadata.ITEM_ID)));
            }
            return;
        }
        if (!"paid".equals(session.getPaymentStatus()) || session.getPaymentIntent() == null) {
            return; // an async payment method: checkout.session.async_payment_succeeded follows
        }
        String cardBrand = null;
        String cardLast4 = null;
        PaymentIntent intent = session.getPaymentIntentObject();
        Charge charge = intent == null ? null : intent.getLatestChargeObject();
        if (charge != null && charge.getPaymentMethodDetails() != null
                && charge.getPaymentMethodDetails().getCard() != null) {
            cardBrand = charge.getPaymentMethodDetails().getCard().getBrand();
            cardLast4 = charge.getPaymentMethodDetails().getCard().getLast4();
        }
        commands.sendAndWait(new FulfilPaymentCommand(PaymentIds.payment(session.getPaymentIntent()), userId,
                PaymentKind.PACK, metadata.get(Metadata.ITEM_ID), Long.parseLong(metadata.get(Metadata.CREDITS)),
                session.getAmountTotal() == null ? 0 : session.getAmountTotal(), session.getCurrency(), null,
                session.getId(), cardBrand, cardLast4));
    }

    private void invoice(Invoice invoice) {
        if (!"paid".equals(invoice.getStatus())) {
            return;
        }
        Map<String, String> metadata = StripeObjects.metadata(invoice);
        String userId = metadata.get(Metadata.USER_ID);
        if (userId == null || metadata.get(Metadata.CREDITS) == null) {
            log.info("invoice {} is not for a plan of this service; ignored", invoice.getId());
            return;
        }
        Long periodEnd = null;
        if (invoice.getLines() != null && invoice.getLines().getData() != null) {
            for (InvoiceLineItem line : invoice.getLines().getData()) {
                if (line.getPeriod() != null && line.getPeriod().getEnd() != null) {
                    periodEnd = periodEnd == null ? line.getPeriod().getEnd() : Math.max(periodEnd,
                            line.getPeriod().getEnd());
                }
            }
        }
        String paymentId = StripeObjects.paymentId(invoice);
        commands.sendAndWait(new FulfilPaymentCommand(paymentId, userId, PaymentKind.PERIOD,
                metadata.get(Metadata.ITEM_ID), Long.parseLong(metadata.get(Metadata.CREDITS)),
                invoice.getAmountPaid() == null ? 0 : invoice.getAmountPaid(), invoice.getCurrency(),
                periodEnd == null ? null : Instant.ofEpochSecond(periodEnd), invoice.getId(), null, null));
    }

    private void charge(StripeEventReceivedEvent event) throws StripeException {
        // charge.refund.updated names a refund; its charge is re-read for the current refunded total
        String chargeId = event.objectId();
        if (event.type().equals("charge.refund.updated")) {
            chargeId = stripe.raw().v1().refunds().retrieve(event.objectId()).getCharge();
        }
        Charge charge = stripe.charge(chargeId);
        if (charge.getPaymentIntent() == null || charge.getAmount() == null) {
            return;
        }
        commands.sendAndWait(new RecordRefundCommand(PaymentIds.payment(charge.getPaymentIntent()),
                charge.getAmountRefunded() == null ? 0 : charge.getAmountRefunded(), charge.getAmount(),
                charge.getCurrency()));
    }

    private void dispute(Dispute dispute) {
        if (dispute.getPaymentIntent() == null || dispute.getAmount() == null) {
            return;
        }
        DisputeStatus status = switch (String.valueOf(dispute.getStatus())) {
            case "won", "warning_closed", "prevented" -> DisputeStatus.WON;
            case "lost" -> DisputeStatus.LOST;
            default -> DisputeStatus.OPEN;
        };
        commands.sendAndWait(new RecordDisputeCommand(PaymentIds.payment(dispute.getPaymentIntent()),
                dispute.getId(), dispute.getAmount(), status));
    }

    private void subscriptionDeleted(Subscription subscription) {
        String userId = subscription.getMetadata() == null ? null : subscription.getMetadata().get(Metadata.USER_ID);
        if (userId != null && "canceled".equals(subscription.getStatus())) {
            commands.sendAndWait(new EndSubscriptionCommand(PaymentIds.billingAccount(userId), userId,
                    subscription.getId()));
        }
    }
}
