package net.kimik2.command.payments;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.time.Instant;
import net.kimik2.api.payments.RecordStripeEventCommand;
import net.kimik2.api.payments.StripeEventReceivedEvent;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * The webhook inbox entry of one Stripe event id. The event store's unique (aggregate id, sequence) key makes the id
 * unique durably; a redelivered id finds the entry and records nothing. The command returns once the event is
 * committed, so the endpoint answers 2xx only for what survives a crash.
 */
@Aggregate
class StripeEventInbox {

    @AggregateIdentifier
    private String inboxId;

    StripeEventInbox() {
        // for Axon
    }

    /** True when the event was new; false for a duplicate delivery. */
    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    boolean handle(RecordStripeEventCommand command) {
        if (inboxId != null) {
            return false;
        }
        apply(new StripeEventReceivedEvent(command.inboxId(), command.eventId(), command.type(), command.objectId(),
                command.created(), now()));
        return true;
    }

    @EventSourcingHandler
    void on(StripeEventReceivedEvent event) {
        inboxId = event.inboxId();
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }
}
