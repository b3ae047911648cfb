package net.kimik2.api.credits;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Reserves credits for a payment whose final amount is not known yet (a prompt). {@code holdId} is the idempotency
 * key: holding again under the same id changes nothing and answers the existing hold. {@code purposeId} names what
 * the hold pays for (a conversation id). A hold still open at {@code expiresAt} is released by a deadline.
 */
public record HoldCreditsCommand(
        @TargetAggregateIdentifier String ledgerId,
        String holdId,
        long amount,
        String purposeId,
        Instant expiresAt) {
}
