package net.kimik2.api.accounts;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** A null choice keeps its current value. */
public record SetPrivacyChoicesCommand(@TargetAggregateIdentifier String userId, Boolean modelImprovement,
                                       Boolean analyticsCookies, Boolean productEmails) {
}
