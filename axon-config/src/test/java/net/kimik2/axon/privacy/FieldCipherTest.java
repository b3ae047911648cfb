package net.kimik2.axon.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
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
        assertThat(meters.find("kimi.privacy.shredded.reads").counter().count()).isEqualTo(1);
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
}
