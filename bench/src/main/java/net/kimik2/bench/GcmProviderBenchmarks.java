package net.kimik2.bench;

import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH: AES-256-GCM encrypt + decrypt of 64 bytes with 22 bytes of AAD and a fresh nonce per value (what FieldCipher
 * asks of its provider), in the AES-GCM implementations that could replace the JDK's: the JDK's own (SunJCE), Amazon
 * Corretto Crypto Provider (AWS-LC, native), Conscrypt (BoringSSL, native), each through the JCE API as FieldCipher
 * would use it, and BouncyCastle's lightweight GCM, which keeps its key schedule and GHASH tables across nonces.
 * Nothing of ours is measured here; this is the floor each provider sets for {@link CryptoBenchmarks#encryptDecrypt64}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GcmProviderBenchmarks {

    private static final byte[] AAD = "user:0123456789\u0000email".getBytes(StandardCharsets.UTF_8);

    @State(Scope.Thread)
    public static class Jce {
        @Param({"SunJCE", "ACCP", "Conscrypt"})
        String provider;
        Cipher cipher;
        SecretKey key;
        byte[] field = new byte[64];
        byte[] nonce = new byte[12];
        long counter;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            cipher = switch (provider) {
                case "SunJCE" -> Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
                case "ACCP" -> Cipher.getInstance("AES/GCM/NoPadding", provider(
                        "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider", "INSTANCE"));
                case "Conscrypt" -> Cipher.getInstance("AES/GCM/NoPadding",
                        (Provider) Class.forName("org.conscrypt.Conscrypt").getMethod("newProvider").invoke(null));
                default -> throw new IllegalArgumentException(provider);
            };
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            key = new SecretKeySpec(k, "AES");
            new SecureRandom().nextBytes(field);
            byte[] back = roundTrip();
            if (!java.util.Arrays.equals(back, field)) {
                throw new IllegalStateException(provider + ": round trip failed");
            }
        }

        private static Provider provider(String className, String field) throws Exception {
            Provider p = (Provider) Class.forName(className).getField(field).get(null);
            // ACCP serves nothing when its native library cannot load: fail instead of measuring that
            p.getClass().getMethod("assertHealthy").invoke(p);
            return p;
        }

        byte[] roundTrip() throws Exception {
            long n = ++counter;
            for (int i = 0; i < 8; i++) {
                nonce[4 + i] = (byte) (n >>> (56 - 8 * i));
            }
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(AAD);
            byte[] sealed = cipher.doFinal(field);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(AAD);
            return cipher.doFinal(sealed);
        }
    }

    @State(Scope.Thread)
    public static class BouncyCastle {
        GCMModeCipher encrypt = GCMBlockCipher.newInstance(AESEngine.newInstance());
        GCMModeCipher decrypt = GCMBlockCipher.newInstance(AESEngine.newInstance());
        byte[] field = new byte[64];
        byte[] sealed = new byte[80];
        byte[] back = new byte[64];
        long counter;

        @Setup(Level.Trial)
        public void setUp() {
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            new SecureRandom().nextBytes(field);
            // the key is given once; later inits pass null and keep the key schedule and the GHASH tables
            KeyParameter key = new KeyParameter(k);
            encrypt.init(true, new AEADParameters(key, 128, new byte[12]));
            decrypt.init(false, new AEADParameters(key, 128, new byte[12]));
        }

        byte[] roundTrip() throws Exception {
            long n = ++counter;
            byte[] nonce = new byte[12];
            for (int i = 0; i < 8; i++) {
                nonce[4 + i] = (byte) (n >>> (56 - 8 * i));
            }
            encrypt.init(true, new AEADParameters(null, 128, nonce, AAD));
            int len = encrypt.processBytes(field, 0, field.length, sealed, 0);
            encrypt.doFinal(sealed, len);
            decrypt.init(false, new AEADParameters(null, 128, nonce, AAD));
            len = decrypt.processBytes(sealed, 0, sealed.length, back, 0);
            decrypt.doFinal(back, len);
            return back;
        }
    }

    @Benchmark
    public byte[] jce(Jce s) throws Exception {
        return s.roundTrip();
    }

    @Benchmark
    public byte[] bouncyCastleKeyReused(BouncyCastle s) throws Exception {
        return s.roundTrip();
    }
}
