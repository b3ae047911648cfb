package net.kimik2.shredding.privacy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM for single personal values. Envelope (then base64 without padding, prefixed {@value #PREFIX}): version
 * byte, key version byte, 96-bit nonce, ciphertext and 128-bit tag. The associated data binds the key scope and the
 * field's logical name, so a value cannot be moved to another subject or field undetected.
 *
 * <p>Nonces (ADR 0007): 64 random bits drawn per thread from a {@link SecureRandom}, then a 32-bit counter that
 * starts at a random value and steps once per encryption of that thread, whatever the key. One thread therefore never
 * repeats a nonce under any key until its 2^32 counter values are used up, and then it draws a new prefix. Two
 * threads (of this or any other process, before or after a restart) can only collide if their random prefixes are
 * equal and their counter windows overlap: for p thread lifetimes that ever encrypt under one key, with m values each,
 * about p^2 * m / 2^96, i.e. below the birthday bound n^2 / 2^97 of n = p*m fully random 96-bit nonces once m > 2. The
 * JDK's GCM also refuses an encryption that reuses the previous key and nonce of the same Cipher. Nonces need to be
 * unique, not secret; this replaces a DRBG generate call (synchronized, SHA-256 based) per value by a counter step.
 */
public class FieldCipher {

    public static final String PREFIX = "enc1:";
    private static final byte VERSION = 1;
    private static final byte KEY_VERSION = 1;
    private static final int NONCE = 12;
    private static final int HEADER = 2 + NONCE;
    private static final int TAG_BITS = 128;
    private static final int TAG = TAG_BITS / 8;
    private static final int PREFIX_LENGTH = PREFIX.length();
    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.ISO_8859_1);
    private static final long COUNTER_VALUES = 1L << 32;

    /** Cipher objects are not thread-safe; one per thread, with its nonce state and the last AAD built. */
    private static final ThreadLocal<Worker> WORKER = ThreadLocal.withInitial(Worker::new);

    private final DataKeys keys;
    // LongAdder-backed function counters: one uncontended add per value, read only when metrics are scraped (no
    // per-value dispatch through a composite registry). One FieldCipher per registry (the Spring bean): a second one
    // on the same registry would keep counting in its own adders, unreported.
    private final LongAdder encryptions = new LongAdder();
    private final LongAdder decryptions = new LongAdder();
    private final Counter shreddedReads;

    public FieldCipher(DataKeys keys, MeterRegistry meters) {
        this.keys = keys;
        FunctionCounter.builder("kimi.privacy.encryptions", encryptions, LongAdder::sum).register(meters);
        FunctionCounter.builder("kimi.privacy.decryptions", decryptions, LongAdder::sum).register(meters);
        this.shreddedReads = Counter.builder("kimi.privacy.shredded.reads")
                .description("reads of personal data whose key was destroyed").register(meters);
    }

    public static boolean isEnvelope(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    public String encrypt(String scope, String ownerId, String field, byte[] plaintext) {
        SecretKey key = keys.forEncryption(scope, ownerId);
        Worker w = WORKER.get();
        try {
            byte[] out = new byte[HEADER + plaintext.length + TAG];
            out[0] = VERSION;
            out[1] = KEY_VERSION;
            w.nextNonce(out, 2);
            Cipher cipher = w.cipher;
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, out, 2, NONCE));
            cipher.updateAAD(w.aad(scope, field));
            cipher.doFinal(plaintext, 0, plaintext.length, out, HEADER);
            encryptions.increment();
            return Base64Codec.encode(PREFIX_BYTES, out);
        } catch (GeneralSecurityException e) {
            w.reset(); // a failed init/doFinal may leave the Cipher half-initialised
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public String encryptString(String scope, String ownerId, String field, String value) {
        return value == null ? null : encrypt(scope, ownerId, field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The plaintext, or empty when the scope's key was destroyed (crypto-shredded). */
    public Optional<byte[]> decrypt(String scope, String field, String envelope) {
        return Optional.ofNullable(decryptOrNull(scope, field, envelope));
    }

    /** {@link #decrypt} without the Optional: null when the scope's key was destroyed (crypto-shredded). */
    public byte[] decryptOrNull(String scope, String field, String envelope) {
        if (!isEnvelope(envelope)) {
            throw new IllegalArgumentException("not an encrypted value");
        }
        SecretKey key = keys.decryptionKeyOrNull(scope);
        if (key == null) {
            shreddedReads.increment();
            return null;
        }
        byte[] in = Base64Codec.decode(envelope, PREFIX_LENGTH);
        if (in.length < HEADER + TAG || in[0] != VERSION) {
            throw new IllegalArgumentException("unknown envelope version");
        }
        Worker w = WORKER.get();
        try {
            Cipher cipher = w.cipher;
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 2, NONCE));
            cipher.updateAAD(w.aad(scope, field));
            byte[] plain = cipher.doFinal(in, HEADER, in.length - HEADER);
            decryptions.increment();
            return plain;
        } catch (GeneralSecurityException e) {
            w.reset();
            throw new IllegalStateException("decryption failed: wrong scope or field, or altered data", e);
        }
    }

    public Optional<String> decryptString(String scope, String field, String envelope) {
        if (envelope == null) {
            return Optional.empty();
        }
        byte[] plain = decryptOrNull(scope, field, envelope);
        return plain == null ? Optional.empty() : Optional.of(new String(plain, StandardCharsets.UTF_8));
    }

    public DataKeys keys() {
        return keys;
    }

    /** The AAD for a value: UTF-8 of scope, a NUL, the field name (the format of every envelope written so far). */
    static byte[] aad(String scope, String field) {
        return (scope + '\u0000' + field).getBytes(StandardCharsets.UTF_8);
    }

    /** Test hook: the calling thread's counter values count as used up, as after 2^32 encryptions. */
    static void exhaustNonceCounterForTest() {
        WORKER.get().left = 0;
    }

    /** Per-thread state. The JDK's AES reuses its expanded key when a Cipher is re-initialised with the same key. */
    private static final class Worker {
        private static final SecureRandom SEEDS = newRandom();

        private Cipher cipher = newCipher();
        private long prefix;
        private int counter;
        private long left; // counter values this prefix may still use
        private String lastScope;
        private String lastField;
        private byte[] lastAad;

        Worker() {
            newPrefix();
        }

        private void newPrefix() {
            // one draw per thread per 2^32 encryptions: the shared SecureRandom is no hot spot
            byte[] seed = new byte[12];
            synchronized (SEEDS) {
                SEEDS.nextBytes(seed);
            }
            long p = 0;
            for (int i = 0; i < 8; i++) {
                p = (p << 8) | (seed[i] & 0xff);
            }
            prefix = p;
            counter = (seed[8] & 0xff) << 24 | (seed[9] & 0xff) << 16 | (seed[10] & 0xff) << 8 | (seed[11] & 0xff);
            left = COUNTER_VALUES;
        }

        void nextNonce(byte[] out, int at) {
            if (left == 0) {
                newPrefix();
            }
            left--;
            int c = counter++; // wraps modulo 2^32; `left` stops it before a value repeats under this prefix
            long p = prefix;
            for (int i = 7; i >= 0; i--) {
                out[at + i] = (byte) p;
                p >>>= 8;
            }
            out[at + 8] = (byte) (c >>> 24);
            out[at + 9] = (byte) (c >>> 16);
            out[at + 10] = (byte) (c >>> 8);
            out[at + 11] = (byte) c;
        }

        /** Reused while a thread works through one subject's fields; the bytes are only read by the Cipher. */
        byte[] aad(String scope, String field) {
            if (lastAad == null || !scope.equals(lastScope) || !field.equals(lastField)) {
                lastAad = FieldCipher.aad(scope, field);
                lastScope = scope;
                lastField = field;
            }
            return lastAad;
        }

        void reset() {
            cipher = newCipher();
        }
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
