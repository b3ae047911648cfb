package net.kimik2.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.Role;
import org.axonframework.serialization.SerializedObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH: the per-value cost of crypto-shredding in steady state (the scope's key cached), on the production objects
 * ({@link CryptoStack}: real KeyVault on a temporary H2 file, real LocalKeyEncryptionService, real DataKeys cache).
 *
 * <p>Run: {@code bench/run-bench.sh jmh} or
 * {@code java -cp bench/target/kimi-bench.jar org.openjdk.jmh.Main CryptoBenchmarks -f 1 -wi 3 -i 5}.
 * {@code jdkGcm*} are the floor: the JDK's AES-GCM alone (re-initialised per value, same key, fixed AAD, fresh
 * counter nonce), without key lookup, envelope or base64.
 */
// SampleTime measures single calls, so JMH prints their distribution (p0.50 = the median the target is about);
// AverageTime is kept for comparison with the earlier figures
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CryptoBenchmarks {

    @State(Scope.Benchmark)
    public static class Crypto {
        CryptoStack stack;
        String scope;
        String owner;
        /** 64 bytes of UTF-8: a long-ish email address, say. */
        byte[] field;
        String envelope;
        AccountRegisteredEvent event;
        byte[] plainBytes;
        SecretKey rawKey;
        Cipher jdk;
        byte[] aad;
        long nonceCounter;
        byte[] encryptedBytes;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            stack = CryptoStack.create("kimi-jmh-vault-");
            owner = UUID.randomUUID().toString();
            scope = "user:" + owner;
            field = "firstname.lastname.0123456789@an-example-mail-provider.invalid.x".getBytes(StandardCharsets.UTF_8);
            if (field.length != 64) {
                throw new IllegalStateException("field is " + field.length + " bytes");
            }
            envelope = stack.cipher.encrypt(scope, owner, "email", field); // mints and caches the key
            byte[] back = stack.cipher.decrypt(scope, "email", envelope).orElseThrow();
            if (!Arrays.equals(back, field)) {
                throw new IllegalStateException("round trip failed");
            }
            rawKey = stack.keys.forEncryption(scope, owner);
            jdk = Cipher.getInstance("AES/GCM/NoPadding");
            aad = (scope + '\u0000' + "email").getBytes(StandardCharsets.UTF_8);
            event = new AccountRegisteredEvent(owner, "Firstname Lastname", "firstname.lastname@example.invalid",
                    "firstname_lastname", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
                    "2026-01", Role.USER, Instant.parse("2026-11-28T10:00:00Z"));
            plainBytes = stack.jackson.serialize(event, byte[].class).getData();
            encryptedBytes = stack.encrypting.serialize(event, byte[].class).getData();
            Object decoded = stack.encrypting.deserialize(stack.encrypting.serialize(event, byte[].class));
            if (!event.equals(decoded) || !event.equals(stack.jackson.deserialize(stack.jackson.serialize(event, byte[].class)))) {
                throw new IllegalStateException("serializer round trip failed");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            stack.close();
            stack.deleteFiles();
        }
    }

    @Benchmark
    public Optional<byte[]> encryptDecrypt64(Crypto s) {
        String env = s.stack.cipher.encrypt(s.scope, s.owner, "email", s.field);
        return s.stack.cipher.decrypt(s.scope, "email", env);
    }

    @Benchmark
    public String encrypt64(Crypto s) {
        return s.stack.cipher.encrypt(s.scope, s.owner, "email", s.field);
    }

    @Benchmark
    public Optional<byte[]> decrypt64(Crypto s) {
        return s.stack.cipher.decrypt(s.scope, "email", s.envelope);
    }

    @Benchmark
    public byte[] jdkGcmEncryptDecrypt64(Crypto s) throws Exception {
        byte[] iv = new byte[12];
        long n = ++s.nonceCounter;
        for (int i = 0; i < 8; i++) {
            iv[4 + i] = (byte) (n >>> (56 - 8 * i));
        }
        s.jdk.init(Cipher.ENCRYPT_MODE, s.rawKey, new GCMParameterSpec(128, iv));
        s.jdk.updateAAD(s.aad);
        byte[] sealed = s.jdk.doFinal(s.field);
        s.jdk.init(Cipher.DECRYPT_MODE, s.rawKey, new GCMParameterSpec(128, iv));
        s.jdk.updateAAD(s.aad);
        return s.jdk.doFinal(sealed);
    }

    /** AccountRegisteredEvent to byte[] and back with Axon's plain JacksonSerializer. */
    @Benchmark
    public Object serializeDeserializePlain(Crypto s) {
        SerializedObject<byte[]> so = s.stack.jackson.serialize(s.event, byte[].class);
        return s.stack.jackson.deserialize(so);
    }

    /** The same with the EncryptingSerializer: 4 personal fields encrypted and decrypted. */
    @Benchmark
    public Object serializeDeserializeEncrypting(Crypto s) {
        SerializedObject<byte[]> so = s.stack.encrypting.serialize(s.event, byte[].class);
        return s.stack.encrypting.deserialize(so);
    }
}
