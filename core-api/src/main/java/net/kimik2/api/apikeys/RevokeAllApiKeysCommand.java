package net.kimik2.api.apikeys;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Revokes every live key of the person (erasure); answers how many were revoked. */
public record RevokeAllApiKeysCommand(@TargetAggregateIdentifier String ringId, String userId) {
}
