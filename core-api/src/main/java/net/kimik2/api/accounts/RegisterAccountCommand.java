package net.kimik2.api.accounts;

import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Creates an account. The password travels only inside this command; events keep its hash. */
public record RegisterAccountCommand(
        @TargetAggregateIdentifier @DataSubject String userId,
        @PersonalData String name,
        @PersonalData String email,
        @PersonalData String username,
        @PersonalData String password,
        String acceptedPolicyVersion,
        Role role) {

    @Override
    public String toString() {
        return "RegisterAccountCommand[userId=" + userId + ", role=" + role + "]";
    }
}
