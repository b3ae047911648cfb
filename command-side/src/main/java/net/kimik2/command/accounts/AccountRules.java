package net.kimik2.command.accounts;

import java.util.Locale;
import java.util.regex.Pattern;
import net.kimik2.api.platform.DomainException;

/** Input rules of an account. Messages are fixed texts: they never echo the rejected (personal) value. */
final class AccountRules {

    static final int NAME_MAX = 200;
    static final int EMAIL_MAX = 254;
    static final int PASSWORD_MIN = 12;
    static final int PASSWORD_MAX = 128;
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9_]{3,32}");
    // Pragmatic address syntax: one @, a dotted domain, no spaces or control characters.
    private static final Pattern EMAIL = Pattern.compile(
            "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");

    private AccountRules() {
    }

    static String normalizeEmail(String email) {
        return email == null ? null : email.trim().toLowerCase(Locale.ROOT);
    }

    static String normalizeUsername(String username) {
        return username == null ? null : username.trim();
    }

    static void validate(String name, String email, String username, String password, String policyVersion,
                         String currentPolicyVersion) {
        validateName(name);
        validateEmail(email);
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw DomainException.validation("username",
                    "username must be 3 to 32 characters of lowercase letters, digits and underscore");
        }
        validatePassword(password, username, email);
        if (policyVersion == null || !policyVersion.equals(currentPolicyVersion)) {
            throw DomainException.validation("acceptedPolicyVersion",
                    "the current privacy policy version " + currentPolicyVersion + " must be accepted");
        }
    }

    static void validateName(String name) {
        if (name == null || name.isBlank()) {
            throw DomainException.validation("name", "name must not be empty");
        }
        if (name.length() > NAME_MAX || name.chars().anyMatch(Character::isISOControl)) {
            throw DomainException.validation("name", "name must be at most " + NAME_MAX + " printable characters");
        }
    }

    static void validateEmail(String email) {
        if (email == null || email.length() > EMAIL_MAX || !EMAIL.matcher(email).matches()) {
            throw DomainException.validation("email", "email is not a valid address");
        }
    }

    static void validatePassword(String password, String username, String email) {
        if (password == null || password.length() < PASSWORD_MIN) {
            throw DomainException.validation("password", "password must be at least " + PASSWORD_MIN + " characters");
        }
        if (password.length() > PASSWORD_MAX) {
            throw DomainException.validation("password", "password must be at most " + PASSWORD_MAX + " characters");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (lower.equals(username.toLowerCase(Locale.ROOT)) || lower.equals(email.toLowerCase(Locale.ROOT))) {
            throw DomainException.validation("password", "password must differ from the username and the email");
        }
        PasswordRules.check(password, username, email);
    }
}
