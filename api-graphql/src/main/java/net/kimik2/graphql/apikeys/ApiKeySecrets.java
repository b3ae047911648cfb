package net.kimik2.graphql.apikeys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API key secrets: 256 random bits, shown once. Only a SHA-256 hash is stored: with that much entropy a fast hash
 * cannot be brute-forced, and verifying one costs microseconds instead of a password hash's tens of milliseconds
 * on every API call (ADR 0018).
 */
final class ApiKeySecrets {

    static final String PREFIX = "sk-kimi-";
    /** What lists show: the fixed prefix and the first characters of the random part. */
    static final int SHOWN_LENGTH = PREFIX.length() + 6;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeySecrets() {
    }

    static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String prefix(String secret) {
        return secret.substring(0, SHOWN_LENGTH);
    }

    /** Whether a presented value can be a secret at all (checked before hashing it). */
    static boolean plausible(String presented) {
        return presented != null && presented.startsWith(PREFIX) && presented.length() == PREFIX.length() + 43
                && presented.chars().allMatch(c -> c < 128);
    }

    static String hash(String secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
