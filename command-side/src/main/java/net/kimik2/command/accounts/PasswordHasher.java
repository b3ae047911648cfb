package net.kimik2.command.accounts;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.stereotype.Component;

/** Argon2id with Spring Security's 5.8 defaults (16 MiB, 2 iterations), salted per password. */
@Component
class PasswordHasher {

    private final Argon2PasswordEncoder encoder = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    // Verified against when no account matches, so that unknown users cost as much time as known ones.
    private final String decoyHash = encoder.encode("decoy-password-for-timing");

    String hash(String password) {
        return encoder.encode(password);
    }

    boolean matches(String password, String hash) {
        return encoder.matches(password, hash);
    }

    void burnTime(String password) {
        encoder.matches(password, decoyHash);
    }
}
