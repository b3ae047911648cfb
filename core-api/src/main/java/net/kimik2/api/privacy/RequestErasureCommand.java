package net.kimik2.api.privacy;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Asks to erase a person (GDPR Art. 17). Self-service requests confirm the username; an admin's request names a
 * legal basis instead. Answers the request id; a repeated request answers the first one's id.
 */
public record RequestErasureCommand(
        @TargetAggregateIdentifier @DataSubject String userId,
        @PersonalData String confirmUsername,
        boolean adminInitiated,
        String legalBasis) {

    @Override
    public String toString() {
        return "RequestErasureCommand[userId=" + userId + ", adminInitiated=" + adminInitiated + "]";
    }
}
