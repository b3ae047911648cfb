package net.kimik2.api.accounts;

import net.kimik2.api.platform.PersonalData;

/**
 * Verifies credentials and starts a session. Answers {@link LoginOutcome}, or fails with
 * {@code INVALID_CREDENTIALS} without saying which part was wrong.
 */
public record LoginCommand(@PersonalData String usernameOrEmail, @PersonalData String password) {

    @Override
    public String toString() {
        return "LoginCommand[]";
    }
}
