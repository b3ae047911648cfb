package net.kimik2.shredding.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FieldCipherTest {

    private static final String SCOPE = "user:u-1";
    private static final String EMAIL = "alice.liddell@example.com";

    @TempDir
    Path dir;

    private PrivacyTestSupport support;
    private FieldCipher cipher;

    @BeforeEach
    void setUp() {
        support = new PrivacyTestSupport(dir);
        cipher = support.cipher;
    }

    @AfterEach
    void tearDown() {
        support.close();
    }

    @Test
    void roundTrip() {
        String envelope = cipher.encryptString(SCOPE, "u-1", "email", EMAIL);

        assertThat(cipher.decryptString(SCOPE, "email", envelope)).contains(EMAIL);
        String unicode = "Zoë Ångström 🦄 \u0000 end";
        assertThat(cipher.decryptString(SCOPE, "name", cipher.encryptString(SCOPE, "u-1", "name", unicode)))
                .contains(unicode);
        assertThat(cipher.decryptString(SCOPE, "name", cipher.encryptString(SCOPE, "u-1", "name", ""))).contains("");
        assertThat(cipher.encryptString(SCOPE, "u-1", "name", null)).isNull();
        assertThat(cipher.decryptString(SCOPE, "name", null)).isEmpty();
    }

    @Test
    void envelopeIsPrefixedVersionedAndHoldsNoPlaintext() {
        String envelope = cipher.encryptString(SCOPE, "u-1", "email", EMAIL);

        assertThat(envelope).startsWith("enc1:").doesNotContain(EMAIL).doesNotContain("alice");
        assertThat(FieldCipher.isEnvelope(envelope)).isTrue();
        assertThat(FieldCipher.isEnvelope(EMAIL)).isFalse();
        byte[] raw = Base64.getDecoder().decode(envelope.substring(5));
        assertThat(raw[0]).as("envelope version").isEqualTo((byte) 1);
        assertThat(raw).hasSize(2 + 12 + EMAIL.getBytes(StandardCharsets.UTF_8).length + 16);
        assertThat(new String(raw, StandardCharsets.ISO_8859_1)).doesNotContain("alice");
    }

    @Test
    void everyEncryptionUsesAFreshNonce() {
        Set<String> envelopes = new HashSet<>();
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String envelope = cipher.encryptString(SCOPE, "u-1", "email", EMAIL);
            envelopes.add(envelope);
            byte[] raw = Base64.getDecoder().decode(envelope.substring(5));
            nonces.add(Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(raw, 2, 14)));
        }
        assertThat(envelopes).hasSize(200);
        assertThat(nonces).hasSize(200);
    }

    @Test
    void aValueMovedToAnotherScopeOrFieldDoesNotDecrypt() {
        cipher.encryptString("user:u-2", "u-2", "email", "bob@example.com"); // u-2 has a key too
        String envelope = cipher.encryptString(SCOPE, "u-1", "email", EMAIL);

        assertThatThrownBy(() -> cipher.decryptString("user:u-2", "email", envelope))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("decryption failed");
        assertThatThrownBy(() -> cipher.decryptString(SCOPE, "name", envelope))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("decryption failed");
    }

    @Test
    void anyFlippedByteIsDetected() {
        String envelope = cipher.encryptString(SCOPE, "u-1", "email", EMAIL);
        byte[] raw = Base64.getDecoder().decode(envelope.substring(5));
        // a byte in the nonce, the ciphertext and the tag
        for (int index : new int[] {2, 14, 20, raw.length - 1}) {
            byte[] altered = raw.clone();
            altered[index] ^= 0x01;
            String tampered = "enc1:" + Base64.getEncoder().withoutPadding().encodeToString(altered);
            assertThatThrownBy(() -> cipher.decryptString(SCOPE, "email", tampered))
                    .as("flipped byte %d", index).isInstanceOf(IllegalStateException.class);
        }
        byte[] truncated = java.util.Arrays.copyOf(raw, 20);
        assertThatThrownBy(() -> cipher.decryptString(SCOPE, "email",
                "enc1:" + Base64.getEncoder().withoutPadding().encodeToString(truncated)))
                .isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> cipher.decryptString(SCOPE, "email", EMAIL))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void afterFenceAndDestroyDecryptAnswersEmptyAndCountsAShreddedRead() {
        String envelope = cipher.encryptString(SCOPE, "u-1", "email", EMAIL);
        assertThat(support.counter("kimi.privacy.shredded.reads")).isZero();

        support.keys.fence(SCOPE, "u-1", "r-1");
        support.keys.destroy(SCOPE);

        assertThat(cipher.decryptString(SCOPE, "email", envelope)).isEmpty();
        assertThat(cipher.decrypt(SCOPE, "email", envelope)).isEmpty();
        assertThat(support.counter("kimi.privacy.shredded.reads")).isEqualTo(2);
        assertThatThrownBy(() -> cipher.encryptString(SCOPE, "u-1", "email", EMAIL))
                .isInstanceOf(ScopeErasedException.class);

        // also for a reader that starts after the erasure (no cache)
        var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        FieldCipher fresh = new FieldCipher(support.restartedKeys(meters), meters);
        assertThat(fresh.decryptString(SCOPE, "email", envelope)).isEmpty();
        assertThat(fresh.decryptOrNull(SCOPE, "email", envelope)).isNull();
        assertThat(PrivacyTestSupport.count(meters.find("kimi.privacy.shredded.reads"))).isEqualTo(2);
    }

    @Test
    void otherSubjectsAreUnaffectedByAnErasure() {
        String mine = cipher.encryptString(SCOPE, "u-1", "email", EMAIL);
        String theirs = cipher.encryptString("user:u-2", "u-2", "email", "bob@example.com");

        support.keys.fence(SCOPE, "u-1", "r-1");
        support.keys.destroy(SCOPE);

        assertThat(cipher.decryptString(SCOPE, "email", mine)).isEmpty();
        assertThat(cipher.decryptString("user:u-2", "email", theirs)).contains("bob@example.com");
    }

    @Test
    void countersCountEncryptionsAndDecryptions() {
        for (int i = 0; i < 3; i++) {
            String envelope = cipher.encryptString(SCOPE, "u-1", "email", EMAIL + i);
            cipher.decryptString(SCOPE, "email", envelope);
            cipher.decryptString(SCOPE, "email", envelope);
        }
        assertThat(support.counter("kimi.privacy.encryptions")).isEqualTo(3);
        assertThat(support.counter("kimi.privacy.decryptions")).isEqualTo(6);
        assertThat(support.counter("kimi.privacy.shredded.reads")).isZero();
    }

    @Test
    void threadsShareNothingThatBreaksEncryption() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        String value = "v-" + id + "-" + i;
                        String env = cipher.encryptString("user:t" + (i % 4), "t", "f", value);
                        if (!cipher.decryptString("user:t" + (i % 4), "f", env).orElseThrow().equals(value)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (var f : futures) {
                assertThat(f.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // --- nonces: per-thread random 64-bit prefix + 32-bit counter (ADR 0007) ---

    private static byte[] nonceOf(String envelope) {
        byte[] raw = Base64.getDecoder().decode(envelope.substring(5));
        return Arrays.copyOfRange(raw, 2, 14);
    }

    private static long prefixOf(byte[] nonce) {
        long p = 0;
        for (int i = 0; i < 8; i++) {
            p = (p << 8) | (nonce[i] & 0xff);
        }
        return p;
    }

    private static int counterOf(byte[] nonce) {
        return (nonce[8] & 0xff) << 24 | (nonce[9] & 0xff) << 16 | (nonce[10] & 0xff) << 8 | (nonce[11] & 0xff);
    }

    @Test
    void noncesNeverRepeatOverManyEncryptionsAcrossThreads() throws Exception {
        int threads = 4;
        int perThread = 50_000;
        Set<String> nonces = ConcurrentHashMap.newKeySet();
        var pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Long>> prefixes = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                prefixes.add(pool.submit(() -> {
                    start.await();
                    long prefix = 0;
                    int previous = 0;
                    for (int i = 0; i < perThread; i++) {
                        byte[] nonce = nonceOf(cipher.encryptString(SCOPE, "u-1", "email", EMAIL));
                        nonces.add(HexFormat.of().formatHex(nonce));
                        if (i == 0) {
                            prefix = prefixOf(nonce);
                        } else {
                            // within a thread: same prefix, counter steps by one (wrapping modulo 2^32)
                            assertThat(prefixOf(nonce)).isEqualTo(prefix);
                            assertThat(counterOf(nonce)).isEqualTo(previous + 1);
                        }
                        previous = counterOf(nonce);
                    }
                    return prefix;
                }));
            }
            start.countDown();
            Set<Long> distinctPrefixes = new HashSet<>();
            for (Future<Long> f : prefixes) {
                distinctPrefixes.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(distinctPrefixes).as("one random prefix per thread").hasSize(threads);
        } finally {
            pool.shutdownNow();
        }
        assertThat(nonces).hasSize(threads * perThread);
    }

    @Test
    void aThreadDrawsANewPrefixWhenItsCounterValuesAreUsedUp() {
        byte[] before = nonceOf(cipher.encryptString(SCOPE, "u-1", "email", EMAIL));
        FieldCipher.exhaustNonceCounterForTest();
        byte[] after = nonceOf(cipher.encryptString(SCOPE, "u-1", "email", EMAIL));

        assertThat(prefixOf(after)).isNotEqualTo(prefixOf(before));
        assertThat(cipher.decryptString(SCOPE, "email", cipher.encryptString(SCOPE, "u-1", "email", EMAIL)))
                .contains(EMAIL);
    }

    // --- the envelope format is unchanged: old envelopes read, new ones are plain JDK AES-GCM + base64 ---

    /** A fixed key and envelopes written by the FieldCipher of commit 39e5e72 (DRBG nonces, java.util.Base64). */
    private static final String FIXTURE_OWNER = "3f0c1a52-8d4e-4b7a-9c61-2e5f7a9b0d13";
    private static final String FIXTURE_SCOPE = "user:" + FIXTURE_OWNER;
    private static final String FIXTURE_KEY = "8f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    @Test
    void envelopesWrittenByTheEarlierFieldCipherStillDecrypt() {
        byte[] raw = HexFormat.of().parseHex(FIXTURE_KEY);
        support.vault.insertKey(FIXTURE_SCOPE, FIXTURE_OWNER, support.kes.wrap(raw, "dek:" + FIXTURE_SCOPE),
                LocalKeyEncryptionService.fingerprint(raw), Instant.now());

        assertThat(cipher.decryptString(FIXTURE_SCOPE, "email",
                "enc1:AQGgk/cojHWeY8x8i/Z2BgZfdVu7OHwSkHmpC8XB10jt0J0G4Q8wABmT/EyAu0TsS4uLviagIg"))
                .contains("alice.liddell@example.com");
        assertThat(cipher.decryptString(FIXTURE_SCOPE, "name",
                "enc1:AQFFRJTUpeTuiqgG8W/+zFfzddCXTblx5uZJ8z4oiH1hmAKKStnWnkjT7qeIFJ8kUfU"))
                .contains("Zoë Ångström 🦄");
        assertThat(cipher.decryptString(FIXTURE_SCOPE, "name", "enc1:AQGDn5nSMuFIQDHvIJ37+6HwMrSb8mOEeAFoew78"))
                .contains("");
        // base64 with padding (java.util.Base64's default encoder) reads too
        assertThat(cipher.decryptString(FIXTURE_SCOPE, "email",
                "enc1:AQGgk/cojHWeY8x8i/Z2BgZfdVu7OHwSkHmpC8XB10jt0J0G4Q8wABmT/EyAu0TsS4uLviagIg=="))
                .contains("alice.liddell@example.com");
        // and the new envelopes of this key still bind scope and field
        String fresh = cipher.encryptString(FIXTURE_SCOPE, FIXTURE_OWNER, "email", EMAIL);
        assertThatThrownBy(() -> cipher.decryptString(FIXTURE_SCOPE, "name", fresh))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void newEnvelopesAreStandardAesGcmWithTheScopeAndFieldAsAad() throws Exception {
        String envelope = cipher.encryptString(SCOPE, "u-1", "email", EMAIL);
        byte[] raw = Base64.getDecoder().decode(envelope.substring(5));
        assertThat(envelope.substring(5)).isEqualTo(Base64.getEncoder().withoutPadding().encodeToString(raw));
        assertThat(raw[0]).isEqualTo((byte) 1);
        assertThat(raw[1]).isEqualTo((byte) 1);

        SecretKey key = support.keys.forDecryption(SCOPE).orElseThrow();
        Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
        jdk.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, raw, 2, 12));
        jdk.updateAAD((SCOPE + "\u0000email").getBytes(StandardCharsets.UTF_8));
        assertThat(new String(jdk.doFinal(raw, 14, raw.length - 14), StandardCharsets.UTF_8)).isEqualTo(EMAIL);
    }

    @Test
    void theAadOfOneThreadFollowsScopeAndFieldChanges() {
        // the per-thread AAD memo must never answer the AAD of the previous value
        String a = cipher.encryptString(SCOPE, "u-1", "email", EMAIL);
        String b = cipher.encryptString("user:u-2", "u-2", "email", EMAIL);
        String c = cipher.encryptString(SCOPE, "u-1", "name", EMAIL);
        assertThat(cipher.decryptString(SCOPE, "email", a)).contains(EMAIL);
        assertThat(cipher.decryptString("user:u-2", "email", b)).contains(EMAIL);
        assertThat(cipher.decryptString(SCOPE, "name", c)).contains(EMAIL);
        assertThatThrownBy(() -> cipher.decryptString(SCOPE, "email", c)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cipher.decryptString(SCOPE, "email", b)).isInstanceOf(IllegalStateException.class);
        // a failed decryption leaves the thread's cipher usable
        assertThat(cipher.decryptString(SCOPE, "email", a)).contains(EMAIL);
    }
}
