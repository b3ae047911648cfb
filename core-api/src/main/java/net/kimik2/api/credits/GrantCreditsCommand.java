package net.kimik2.api.credits;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Adds a bucket of credits. {@code grantId} is the idempotency key: a repeated grant is a no-op. */
public record GrantCreditsCommand(
        @TargetAggregateIdentifier String ledgerId,
        String grantId,
        long amount,
        GrantType type,
        String source,
        Instant expiresAt,
        int priority) {
}
