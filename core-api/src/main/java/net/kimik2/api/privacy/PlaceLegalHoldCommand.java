package net.kimik2.api.privacy;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** ADMIN: suspends retention and erasure for the person, for the stated reason (no personal data). */
public record PlaceLegalHoldCommand(@TargetAggregateIdentifier String userId, String reason) {
}
