package net.kimik2.api.accounts;

import net.kimik2.api.privacy.NotPersisted;

/**
 * Verifies credentials and starts a session. Answers {@link LoginOutcome}, or fails with
 * {@code INVALID_CREDENTIALS} without saying which part was wrong.
 */
@NotPersisted
public record LoginCommand(String usernameOrEmail, String password) {

    @Override
    public String toString() {
        return "LoginCommand[]";
    }
}
