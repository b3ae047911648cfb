package net.kimik2.api.privacy;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** ADMIN: suspends retention and erasure for the person, for the stated reason (free text, so personal data). */
public record PlaceLegalHoldCommand(@TargetAggregateIdentifier @DataSubject String userId, @PersonalData String reason) {

    @Override
    public String toString() {
        return "PlaceLegalHoldCommand[userId=" + userId + "]";
    }
}
