package net.kimik2.api.accounts;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record LogoutCommand(@TargetAggregateIdentifier String userId, String sessionId) {
}
