package net.kimik2.command.payments;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import net.kimik2.api.payments.DisputeStatus;
import net.kimik2.api.payments.FulfilPaymentCommand;
import net.kimik2.api.payments.PaymentClawedBackEvent;
import net.kimik2.api.payments.PaymentDisputeHeldEvent;
import net.kimik2.api.payments.PaymentDisputeLostEvent;
import net.kimik2.api.payments.PaymentDisputeRecordedEvent;
import net.kimik2.api.payments.PaymentDisputeReleasedEvent;
import net.kimik2.api.payments.PaymentFulfilledEvent;
import net.kimik2.api.payments.PaymentRefundRecordedEvent;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.payments.RecordDisputeCommand;
import net.kimik2.api.payments.RecordRefundCommand;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * One Stripe payment (keyed by its PaymentIntent): what it granted and what refunds and disputes took back. Stripe
 * delivers events at least once and in any order, so every observation is merged monotonically (the refunded total
 * only grows, a closed dispute never reopens) and the credit consequences are derived from the merged state: the
 * same set of observations always ends in the same grant, claw-backs, holds and write-offs, whatever their order.
 * Observations that arrive before the payment is fulfilled wait here until it is.
 */
@Aggregate
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
class StripePayment {

    @AggregateIdentifier
    private String paymentId;
    private String userId;
    private boolean fulfilled;
    private String grantId;
    private long credits;
    private long amountMinor;
    private String currency;
    /** The highest refunded total seen, in minor units, and the charge amount it relates to. */
    private long refundedMinor;
    private long chargeMinor;
    /** Credits already clawed back for refunds and lost disputes. */
    private long clawedBack;
    private Map<String, Dispute> disputes = new LinkedHashMap<>();

    /** A dispute's last seen state and what the ledger did about it so far. */
    record Dispute(long amountMinor, DisputeStatus status, String holdId, long heldCredits, boolean settled) {
    }

    StripePayment() {
        // for Axon
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    void handle(FulfilPaymentCommand command) {
        if (fulfilled) {
            return;
        }
        if (command.credits() <= 0 || command.amountMinor() < 0) {
            throw DomainException.validation("credits", "a payment grants a positive number of credits");
        }
        apply(new PaymentFulfilledEvent(command.paymentId(), command.userId(), command.kind(), command.itemId(),
                command.paymentId(), command.credits(), command.amountMinor(), command.currency(),
                command.expiresAt(), command.stripeReference(), command.cardBrand(), command.cardLast4(), now()));
        settle();
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    void handle(RecordRefundCommand command) {
        if (command.amountRefunded() <= refundedMinor || command.chargeAmount() <= 0) {
            return;
        }
        apply(new PaymentRefundRecordedEvent(command.paymentId(),
                Math.min(command.amountRefunded(), command.chargeAmount()), command.chargeAmount(),
                command.currency(), now()));
        settle();
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    void handle(RecordDisputeCommand command) {
        Dispute known = disputes.get(command.disputeId());
        if (known != null && (known.status().closed() || known.status() == command.status())) {
            return;
        }
        apply(new PaymentDisputeRecordedEvent(command.paymentId(), command.disputeId(), command.amount(),
                command.status(), now()));
        settle();
    }

    /** Derives what the ledger still has to do from the merged state; a no-op until the payment is fulfilled. */
    private void settle() {
        if (!fulfilled) {
            return;
        }
        long refundTarget = share(refundedMinor, chargeMinor > 0 ? chargeMinor : amountMinor);
        long refundDone = clawedBack - lostCredits();
        if (refundTarget > refundDone) {
            long take = Math.min(refundTarget - refundDone, credits - clawedBack);
            if (take > 0) {
                apply(new PaymentClawedBackEvent(paymentId, userId, grantId, paymentId + ":refund:" + refundTarget,
                        take, refundedMinor, currency, now()));
            }
        }
        for (Map.Entry<String, Dispute> e : Map.copyOf(disputes).entrySet()) {
            String disputeId = e.getKey();
            Dispute d = e.getValue();
            if (d.settled()) {
                continue;
            }
            long share = share(d.amountMinor(), amountMinor);
            switch (d.status()) {
                case OPEN -> {
                    if (d.holdId() == null && share > 0) {
                        apply(new PaymentDisputeHeldEvent(paymentId, userId, disputeId, grantId,
                                paymentId + ":dispute:" + disputeId, share, d.amountMinor(), currency, now()));
                    }
                }
                case WON -> apply(new PaymentDisputeReleasedEvent(paymentId, userId, disputeId, d.holdId(),
                        d.heldCredits(), d.amountMinor(), currency, now()));
                case LOST -> apply(new PaymentDisputeLostEvent(paymentId, userId, disputeId, grantId, d.holdId(),
                        paymentId + ":dispute-lost:" + disputeId, Math.min(share, credits - clawedBack),
                        d.amountMinor(), currency, now()));
            }
        }
    }

    private long lostCredits() {
        return disputes.values().stream().filter(d -> d.settled() && d.status() == DisputeStatus.LOST)
                .mapToLong(Dispute::heldCredits).sum();
    }

    /** {@code credits * part / whole}, rounded down, never more than the credits; exact for any long inputs. */
    private long share(long part, long whole) {
        if (part <= 0 || whole <= 0) {
            return 0;
        }
        if (part >= whole) {
            return credits;
        }
        return BigInteger.valueOf(credits).multiply(BigInteger.valueOf(part))
                .divide(BigInteger.valueOf(whole)).longValueExact();
    }

    @EventSourcingHandler
    void on(PaymentFulfilledEvent event) {
        paymentId = event.paymentId();
        userId = event.userId();
        fulfilled = true;
        grantId = event.grantId();
        credits = event.credits();
        amountMinor = event.amountMinor();
        currency = event.currency();
    }

    @EventSourcingHandler
    void on(PaymentRefundRecordedEvent event) {
        paymentId = event.paymentId();
        refundedMinor = event.amountRefunded();
        chargeMinor = event.chargeAmount();
    }

    @EventSourcingHandler
    void on(PaymentDisputeRecordedEvent event) {
        paymentId = event.paymentId();
        Dispute known = disputes.get(event.disputeId());
        disputes.put(event.disputeId(), new Dispute(event.amount(), event.status(),
                known == null ? null : known.holdId(), known == null ? 0 : known.heldCredits(), false));
    }

    @EventSourcingHandler
    void on(PaymentClawedBackEvent event) {
        clawedBack += event.credits();
    }

    @EventSourcingHandler
    void on(PaymentDisputeHeldEvent event) {
        disputes.computeIfPresent(event.disputeId(), (id, d) -> new Dispute(d.amountMinor(), d.status(),
                event.holdId(), event.credits(), false));
    }

    @EventSourcingHandler
    void on(PaymentDisputeReleasedEvent event) {
        disputes.computeIfPresent(event.disputeId(), (id, d) -> new Dispute(d.amountMinor(), d.status(), null, 0,
                true));
    }

    @EventSourcingHandler
    void on(PaymentDisputeLostEvent event) {
        clawedBack += event.credits();
        disputes.computeIfPresent(event.disputeId(), (id, d) -> new Dispute(d.amountMinor(), d.status(), null,
                event.credits(), true));
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }
}
