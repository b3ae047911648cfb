package net.kimik2.api.credits;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Charges the actual cost of a held payment and releases the rest of the hold. Idempotent per {@code holdId}: a hold
 * is captured at most once. The amount may exceed the hold (the provider reported more tokens than estimated) or
 * come after the hold expired; then the credits are still charged, down to a debt if the buckets run dry.
 */
public record CaptureCreditsCommand(
        @TargetAggregateIdentifier String ledgerId,
        String holdId,
        long amount) {
}
