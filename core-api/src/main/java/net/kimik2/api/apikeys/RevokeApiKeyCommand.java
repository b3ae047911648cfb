package net.kimik2.api.apikeys;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Revokes one of the person's keys; answers false when it is missing, someone else's or already revoked. */
public record RevokeApiKeyCommand(@TargetAggregateIdentifier String ringId, String userId, String keyId) {
}
