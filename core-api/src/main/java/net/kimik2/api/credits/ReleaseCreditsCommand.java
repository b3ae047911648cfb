package net.kimik2.api.credits;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Gives a whole open hold back (the payment did not happen). Idempotent: a closed hold stays closed. */
public record ReleaseCreditsCommand(
        @TargetAggregateIdentifier String ledgerId,
        String holdId,
        ReleaseCode code) {
}
