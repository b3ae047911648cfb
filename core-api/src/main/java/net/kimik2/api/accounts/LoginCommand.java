package net.kimik2.api.accounts;

import net.kimik2.api.privacy.NotPersisted;

/**
 * Verifies credentials and starts a session. Answers {@link LoginOutcome}, or fails with
 * {@code INVALID_CREDENTIALS} without saying which part was wrong. The User-Agent and IP address become the
 * session's device record.
 */
@NotPersisted
public record LoginCommand(String usernameOrEmail, String password, String userAgent, String ipAddress) {

    public LoginCommand(String usernameOrEmail, String password) {
        this(usernameOrEmail, password, null, null);
    }

    @Override
    public String toString() {
        return "LoginCommand[]";
    }
}
