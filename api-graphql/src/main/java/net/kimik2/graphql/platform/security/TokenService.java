package net.kimik2.graphql.platform.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Bearer tokens: {@code v1.<payload>.<HMAC-SHA256>} with payload {@code sessionId|expiresEpochSecond}. The token
 * holds no personal data; it only points to a session, whose revocation (logout, erasure) ends it at once.
 */
@Component
public class TokenService {

    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();

    private final SecretKey key;

    TokenService(@Qualifier("tokenSigningKey") SecretKey key) {
        this.key = key;
    }

    public String issue(String sessionId, Instant expiresAt) {
        String payload = ENC.encodeToString((sessionId + "|" + expiresAt.getEpochSecond()).getBytes(StandardCharsets.UTF_8));
        return "v1." + payload + "." + ENC.encodeToString(mac(payload));
    }

    /** The session id of a genuine, unexpired token. */
    public Optional<String> verify(String token, Instant now) {
        if (token == null || token.length() > 512) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.");
        if (parts.length != 3 || !parts[0].equals("v1")) {
            return Optional.empty();
        }
        try {
            if (!MessageDigest.isEqual(mac(parts[1]), DEC.decode(parts[2]))) {
                return Optional.empty();
            }
            String[] fields = new String(DEC.decode(parts[1]), StandardCharsets.UTF_8).split("\\|");
            if (fields.length != 2 || Long.parseLong(fields[1]) <= now.getEpochSecond()) {
                return Optional.empty();
            }
            return Optional.of(fields[0]);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
