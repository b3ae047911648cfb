package net.kimik2.shredding.privacy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES-256-GCM key wrapping with KEKs held in memory; the first listed KEK wraps, every listed one unwraps. */
public final class LocalKeyEncryptionService implements KeyEncryptionService {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Map<String, SecretKey> keksById = new LinkedHashMap<>();
    private final String newestId;
    private final SecureRandom random = new SecureRandom();

    public LocalKeyEncryptionService(List<String> base64Keks) {
        if (base64Keks.isEmpty()) {
            throw new IllegalArgumentException("at least one KEK is required");
        }
        for (String b64 : base64Keks) {
            byte[] raw = decode(b64.trim());
            keksById.put(fingerprint(raw), new SecretKeySpec(raw, "AES"));
        }
        newestId = keksById.keySet().iterator().next();
    }

    private static byte[] decode(String b64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("KIMI_KEK is not valid base64");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException("KIMI_KEK must be 256 bits (32 bytes) per key, got " + raw.length * 8);
        }
        return raw;
    }

    /** A short, non-secret id of a key: the first 8 bytes of its SHA-256, in hex. */
    public static String fingerprint(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public WrappedKey wrap(byte[] key, String context) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keksById.get(newestId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] ct = cipher.doFinal(key);
            byte[] sealed = new byte[NONCE_BYTES + ct.length];
            System.arraycopy(nonce, 0, sealed, 0, NONCE_BYTES);
            System.arraycopy(ct, 0, sealed, NONCE_BYTES, ct.length);
            return new WrappedKey(newestId, sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("key wrapping failed", e);
        }
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped, String context) {
        SecretKey kek = keksById.get(wrapped.kekId());
        if (kek == null) {
            throw new IllegalStateException("no configured KEK has id " + wrapped.kekId()
                    + "; keep every KEK that wrapped stored keys in KIMI_KEK until they are re-wrapped");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, wrapped.sealed(), 0, NONCE_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(wrapped.sealed(), NONCE_BYTES, wrapped.sealed().length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("key unwrapping failed (wrong KEK or altered vault entry)", e);
        }
    }

    public String newestKekId() {
        return newestId;
    }
}
