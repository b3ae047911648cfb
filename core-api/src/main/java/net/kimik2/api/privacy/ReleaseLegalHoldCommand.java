package net.kimik2.api.privacy;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record ReleaseLegalHoldCommand(@TargetAggregateIdentifier String userId) {
}
