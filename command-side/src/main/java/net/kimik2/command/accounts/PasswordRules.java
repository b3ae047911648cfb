package net.kimik2.command.accounts;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import net.kimik2.api.platform.DomainException;

/**
 * Refuses guessable passwords at registration: the 10,000 most common passwords (bundled
 * {@code common-passwords.txt}, from the zxcvbn frequency list, MIT) and trivial patterns: one character or a short
 * unit repeated ({@code aaaaaaaaaaaa}, {@code passwordpassword}, {@code abcabcabcabc}), runs of consecutive characters
 * ({@code 123456789012}, {@code abcdefghijkl}, {@code 987654321098}), and the username or the email (or its local
 * part) repeated or with a few characters around it. Messages are fixed texts and never echo the password.
 */
final class PasswordRules {

    static final String COMMON_PASSWORDS_RESOURCE = "common-passwords.txt";
    private static final Set<String> COMMON = load();
    /** At most this many characters besides the username or email before a password is no longer "just" them. */
    private static final int PERSONAL_SLACK = 4;

    private PasswordRules() {
    }

    /** Throws VALIDATION_FAILED (field {@code password}) for a common or trivial password. */
    static void check(String password, String username, String email) {
        String lower = password.toLowerCase(Locale.ROOT);
        if (COMMON.contains(lower) || COMMON.contains(lower.strip())) {
            throw DomainException.validation("password",
                    "password is one of the most common passwords; choose a less guessable one");
        }
        String unit = repeatedUnit(lower);
        if (unit.length() < lower.length() && (unit.length() <= 4 || COMMON.contains(unit))) {
            throw DomainException.validation("password",
                    "password must not be a character or a short sequence repeated");
        }
        if (isSequence(lower)) {
            throw DomainException.validation("password",
                    "password must not be a run of consecutive characters (such as 1-2-3-4 or a-b-c-d)");
        }
        if (isMostlyPersonal(lower, username) || isMostlyPersonal(lower, email)
                || (email != null && email.indexOf('@') > 0 && isMostlyPersonal(lower, email.substring(0, email.indexOf('@'))))) {
            throw DomainException.validation("password", "password must not be built from the username or the email");
        }
    }

    static boolean isCommon(String password) {
        return COMMON.contains(password.toLowerCase(Locale.ROOT));
    }

    /** The shortest unit whose repetition is the whole text (the text itself when none is). */
    static String repeatedUnit(String text) {
        int n = text.length();
        for (int len = 1; len <= n / 2; len++) {
            if (n % len == 0 && text.substring(0, len).repeat(n / len).equals(text)) {
                return text.substring(0, len);
            }
        }
        return text;
    }

    /** Every step is +1 or every step is -1 (digits wrap: 890123 counts), e.g. 123456789012, lkjihgfedcba. */
    static boolean isSequence(String text) {
        if (text.length() < 3) {
            return false;
        }
        return hasConstantStep(text, 1) || hasConstantStep(text, -1);
    }

    private static boolean hasConstantStep(String text, int step) {
        for (int i = 1; i < text.length(); i++) {
            char previous = text.charAt(i - 1);
            char current = text.charAt(i);
            boolean digits = Character.isDigit(previous) && Character.isDigit(current);
            int expected = digits ? '0' + Math.floorMod(previous - '0' + step, 10) : previous + step;
            if (current != expected) {
                return false;
            }
        }
        return true;
    }

    private static boolean isMostlyPersonal(String lowerPassword, String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        String personal = value.strip().toLowerCase(Locale.ROOT);
        if (personal.length() < 3) {
            return false;
        }
        String unit = repeatedUnit(lowerPassword);
        if (unit.equals(personal) || repeatedUnit(personal).equals(unit)) {
            return true; // the value itself, or repeated
        }
        return lowerPassword.contains(personal) && lowerPassword.length() - personal.length() <= PERSONAL_SLACK;
    }

    private static Set<String> load() {
        try (InputStream in = PasswordRules.class.getResourceAsStream(COMMON_PASSWORDS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + COMMON_PASSWORDS_RESOURCE);
            }
            Set<String> words = new HashSet<>(16_384);
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (!line.isEmpty() && !line.startsWith("#")) {
                        words.add(line.toLowerCase(Locale.ROOT));
                    }
                }
            }
            return Set.copyOf(words);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int commonCount() {
        return COMMON.size();
    }
}
