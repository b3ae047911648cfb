package net.kimik2.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import net.kimik2.shredding.privacy.DataKeys;

/**
 * What a cold key cache costs per scope: the production {@link DataKeys} over a real {@code KeyVault} (H2 file) and
 * {@code LocalKeyEncryptionService}, n scopes minted, then read back through a new, empty cache in several passes (the
 * first pass includes JIT warm-up), next to the vault query alone and query + KEK unwrap. This is the part of a replay
 * that a batch key prefetch could save ({@link ReplayBench} loads one key per user on a cold cache).
 *
 * <p>Run: {@code java -cp bench/target/kimi-bench.jar net.kimik2.bench.KeyLoadBench [n=20000] [passes=4]}.
 */
public final class KeyLoadBench {

    private KeyLoadBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        CryptoStack stack = CryptoStack.create("kimi-keyload-vault-");
        try {
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                stack.keys.forEncryption(scope(i), "owner-" + i);
            }
            System.out.printf(Locale.ROOT, "machine: %s, nproc %d, java %s%n", Machine.cpuModel(),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
            System.out.printf(Locale.ROOT, "minted %d keys: %.1f us each (vault insert committed per key)%n", n,
                    micros(System.nanoTime() - t, n));
            for (int pass = 1; pass <= passes; pass++) {
                // a cache large enough for all n, so every read of this pass is a miss and nothing is evicted
                DataKeys cold = new DataKeys(stack.vault, stack.kes, new SimpleMeterRegistry(), n, Duration.ofMinutes(10));
                t = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    if (cold.decryptionKeyOrNull(scope(i)) == null) {
                        throw new IllegalStateException("no key for " + scope(i));
                    }
                }
                long load = System.nanoTime() - t;
                t = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    stack.vault.scopeState(scope(i)).orElseThrow();
                }
                long query = System.nanoTime() - t;
                t = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    stack.kes.unwrap(stack.vault.scopeState(scope(i)).orElseThrow().wrapped(), "dek:" + scope(i));
                }
                long queryAndUnwrap = System.nanoTime() - t;
                System.out.printf(Locale.ROOT, "pass %d: cold DataKeys load %.1f us per key; vault query alone %.1f us; "
                        + "query + unwrap %.1f us%n", pass, micros(load, n), micros(query, n), micros(queryAndUnwrap, n));
            }
        } finally {
            stack.close();
            stack.deleteFiles();
        }
    }

    private static String scope(int i) {
        return "user:keyload-" + i;
    }

    private static double micros(long nanos, int n) {
        return nanos / 1e3 / n;
    }
}
