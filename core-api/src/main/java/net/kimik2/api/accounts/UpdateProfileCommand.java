package net.kimik2.api.accounts;

import net.kimik2.api.privacy.NotPersisted;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Changes name and/or email (null = unchanged); an email change needs the current password. */
@NotPersisted
public record UpdateProfileCommand(@TargetAggregateIdentifier String userId, String name, String email,
                                   String currentPassword) {

    @Override
    public String toString() {
        return "UpdateProfileCommand[userId=" + userId + "]";
    }
}
