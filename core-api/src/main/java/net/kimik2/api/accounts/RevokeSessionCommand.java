package net.kimik2.api.accounts;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Ends one of the person's own sessions; answers whether it was theirs and live. */
public record RevokeSessionCommand(@TargetAggregateIdentifier String userId, String sessionId) {
}
