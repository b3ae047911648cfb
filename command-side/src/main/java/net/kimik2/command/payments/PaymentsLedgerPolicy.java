package net.kimik2.command.payments;

import java.time.Instant;
import net.kimik2.api.credits.ClawBackCreditsCommand;
import net.kimik2.api.credits.CreditLedgerId;
import net.kimik2.api.credits.GrantCreditsCommand;
import net.kimik2.api.credits.GrantType;
import net.kimik2.api.credits.HoldDisputedCreditsCommand;
import net.kimik2.api.credits.ReleaseCode;
import net.kimik2.api.credits.ReleaseCreditsCommand;
import net.kimik2.api.payments.PaymentClawedBackEvent;
import net.kimik2.api.payments.PaymentDisputeHeldEvent;
import net.kimik2.api.payments.PaymentDisputeLostEvent;
import net.kimik2.api.payments.PaymentDisputeReleasedEvent;
import net.kimik2.api.payments.PaymentFulfilledEvent;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.springframework.stereotype.Component;

/**
 * Turns a payment's credit consequences into ledger commands. Every command is idempotent by its key (grant id,
 * hold id, claw-back id), so a redelivery after a crash changes nothing; events of one payment arrive in order
 * (sequenced per aggregate), so a claw-back never reaches the ledger before its grant.
 */
@Component
@ProcessingGroup(PaymentsLedgerPolicy.GROUP)
class PaymentsLedgerPolicy {

    static final String GROUP = "payments-ledger-policy";
    /** Paid credits are drawn after promotional ones (lower priority numbers go first). */
    static final int PAID_PRIORITY = 60;

    private final CommandGateway commands;

    PaymentsLedgerPolicy(CommandGateway commands) {
        this.commands = commands;
    }

    @EventHandler
    void on(PaymentFulfilledEvent event) {
        Instant now = GenericEventMessage.clock.instant();
        if (event.expiresAt() != null && !event.expiresAt().isAfter(now)) {
            // a period paid (or delivered) after it ended: its credits would already have expired
            return;
        }
        commands.sendAndWait(new GrantCreditsCommand(CreditLedgerId.forUser(event.userId()), event.grantId(),
                event.credits(), GrantType.PAID, "stripe:" + event.kind().name().toLowerCase(java.util.Locale.ROOT)
                + ":" + event.itemId(), event.expiresAt(), PAID_PRIORITY));
    }

    @EventHandler
    void on(PaymentClawedBackEvent event) {
        commands.sendAndWait(new ClawBackCreditsCommand(CreditLedgerId.forUser(event.userId()), event.clawbackId(),
                event.grantId(), event.credits(), null));
    }

    @EventHandler
    void on(PaymentDisputeHeldEvent event) {
        commands.sendAndWait(new HoldDisputedCreditsCommand(CreditLedgerId.forUser(event.userId()), event.holdId(),
                event.grantId(), event.credits()));
    }

    @EventHandler
    void on(PaymentDisputeReleasedEvent event) {
        if (event.holdId() != null) {
            commands.sendAndWait(new ReleaseCreditsCommand(CreditLedgerId.forUser(event.userId()), event.holdId(),
                    ReleaseCode.DISPUTE_WON));
        }
    }

    @EventHandler
    void on(PaymentDisputeLostEvent event) {
        if (event.credits() > 0) {
            commands.sendAndWait(new ClawBackCreditsCommand(CreditLedgerId.forUser(event.userId()),
                    event.clawbackId(), event.grantId(), event.credits(), event.holdId()));
        } else if (event.holdId() != null) {
            commands.sendAndWait(new ReleaseCreditsCommand(CreditLedgerId.forUser(event.userId()), event.holdId(),
                    ReleaseCode.DISPUTE_LOST));
        }
    }
}
