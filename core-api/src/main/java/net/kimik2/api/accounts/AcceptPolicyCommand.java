package net.kimik2.api.accounts;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record AcceptPolicyCommand(@TargetAggregateIdentifier String userId, String version) {
}
