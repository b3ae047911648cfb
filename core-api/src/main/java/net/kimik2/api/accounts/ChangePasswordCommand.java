package net.kimik2.api.accounts;

import net.kimik2.api.privacy.NotPersisted;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Replaces the password; every session but {@code keepSessionId} ends. */
@NotPersisted
public record ChangePasswordCommand(@TargetAggregateIdentifier String userId, String currentPassword,
                                    String newPassword, String keepSessionId) {

    @Override
    public String toString() {
        return "ChangePasswordCommand[userId=" + userId + "]";
    }
}
