package net.kimik2.shredding.privacy;

/**
 * Wraps and unwraps data-encryption keys under the deployment's key-encryption key. The default implementation
 * keeps the KEKs in process memory ({@code KIMI_KEK}); a cloud KMS or Vault transit can implement it instead.
 */
public interface KeyEncryptionService {

    /** Seals {@code key} under the newest KEK; {@code context} is bound as associated data. */
    WrappedKey wrap(byte[] key, String context);

    /** Opens a key sealed by any configured KEK version; fails if the context or the bytes were altered. */
    byte[] unwrap(WrappedKey wrapped, String context);

    record WrappedKey(String kekId, byte[] sealed) {
    }
}
