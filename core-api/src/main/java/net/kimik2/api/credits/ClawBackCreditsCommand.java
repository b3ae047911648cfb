package net.kimik2.api.credits;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Takes back credits of one grant (a refund or a lost dispute). What is left of the grant's bucket is removed first;
 * what was already spent becomes a debt, which the next grant pays off first. {@code clawbackId} is the idempotency
 * key. {@code releaseHoldId}, when set, names a dispute hold that is released in the same unit of work (a lost dispute
 * turns its hold into the write-off). A grant the ledger never saw is ignored: it granted nothing to take back.
 */
public record ClawBackCreditsCommand(
        @TargetAggregateIdentifier String ledgerId,
        String clawbackId,
        String grantId,
        long amount,
        String releaseHoldId) {
}
