package net.kimik2.api.credits;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Holds the disputed share of a paid grant until the dispute closes. Unlike a prompt's hold it never expires and is
 * placed whatever the balance (the available balance may go below zero, which blocks prompts). Idempotent per
 * {@code holdId}; released by {@link ReleaseCreditsCommand} (won) or turned into a claw-back (lost).
 */
public record HoldDisputedCreditsCommand(
        @TargetAggregateIdentifier String ledgerId,
        String holdId,
        String grantId,
        long amount) {
}
