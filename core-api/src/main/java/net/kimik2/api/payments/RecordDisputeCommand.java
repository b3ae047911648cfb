package net.kimik2.api.payments;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** A dispute's current state; once WON or LOST it never changes again. */
public record RecordDisputeCommand(
        @TargetAggregateIdentifier String paymentId,
        String disputeId,
        long amount,
        DisputeStatus status) {
}
