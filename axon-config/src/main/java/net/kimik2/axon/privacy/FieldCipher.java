package net.kimik2.axon.privacy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM for single personal values. Envelope (then base64, prefixed {@value #PREFIX}): version byte, key
 * version byte, 96-bit random nonce, ciphertext and 128-bit tag. The associated data binds the key scope and the
 * field's logical name, so a value cannot be moved to another subject or field undetected.
 */
public class FieldCipher {

    public static final String PREFIX = "enc1:";
    private static final byte VERSION = 1;
    private static final byte KEY_VERSION = 1;
    private static final int NONCE = 12;
    private static final int HEADER = 2 + NONCE;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    // Cipher objects are not thread-safe and costly to look up; one per thread. Nonces come from a per-thread
    // DRBG, so no SecureRandom is shared between threads.
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(FieldCipher::newCipher);
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(FieldCipher::newRandom);

    private final DataKeys keys;
    private final Counter encryptions;
    private final Counter decryptions;
    private final Counter shreddedReads;

    public FieldCipher(DataKeys keys, MeterRegistry meters) {
        this.keys = keys;
        this.encryptions = Counter.builder("kimi.privacy.encryptions").register(meters);
        this.decryptions = Counter.builder("kimi.privacy.decryptions").register(meters);
        this.shreddedReads = Counter.builder("kimi.privacy.shredded.reads")
                .description("reads of personal data whose key was destroyed").register(meters);
    }

    public static boolean isEnvelope(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    public String encrypt(String scope, String ownerId, String field, byte[] plaintext) {
        SecretKey key = keys.forEncryption(scope, ownerId);
        try {
            byte[] out = new byte[HEADER + plaintext.length + TAG_BITS / 8];
            out[0] = VERSION;
            out[1] = KEY_VERSION;
            byte[] nonce = new byte[NONCE];
            RANDOM.get().nextBytes(nonce);
            System.arraycopy(nonce, 0, out, 2, NONCE);
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, out, 2, NONCE));
            cipher.updateAAD(aad(scope, field));
            cipher.doFinal(plaintext, 0, plaintext.length, out, HEADER);
            encryptions.increment();
            return PREFIX + B64.encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public String encryptString(String scope, String ownerId, String field, String value) {
        return value == null ? null : encrypt(scope, ownerId, field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The plaintext, or empty when the scope's key was destroyed (crypto-shredded). */
    public Optional<byte[]> decrypt(String scope, String field, String envelope) {
        if (!isEnvelope(envelope)) {
            throw new IllegalArgumentException("not an encrypted value");
        }
        Optional<SecretKey> key = keys.forDecryption(scope);
        if (key.isEmpty()) {
            shreddedReads.increment();
            return Optional.empty();
        }
        byte[] in = B64D.decode(envelope.substring(PREFIX.length()));
        if (in.length < HEADER + TAG_BITS / 8 || in[0] != VERSION) {
            throw new IllegalArgumentException("unknown envelope version");
        }
        try {
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.DECRYPT_MODE, key.get(), new GCMParameterSpec(TAG_BITS, in, 2, NONCE));
            cipher.updateAAD(aad(scope, field));
            byte[] plain = cipher.doFinal(in, HEADER, in.length - HEADER);
            decryptions.increment();
            return Optional.of(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("decryption failed: wrong scope or field, or altered data", e);
        }
    }

    public Optional<String> decryptString(String scope, String field, String envelope) {
        return envelope == null ? Optional.empty()
                : decrypt(scope, field, envelope).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    public DataKeys keys() {
        return keys;
    }

    private static byte[] aad(String scope, String field) {
        return (scope + '\u0000' + field).getBytes(StandardCharsets.UTF_8);
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
