package net.kimik2.shredding.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataKeysTest {

    private static final String USER = "user:u-1";

    @TempDir
    Path dir;

    private PrivacyTestSupport support;
    private DataKeys keys;

    @BeforeEach
    void setUp() {
        support = new PrivacyTestSupport(dir);
        keys = support.keys;
    }

    @AfterEach
    void tearDown() {
        support.close();
    }

    private long rows(String sql, String arg) throws Exception {
        try (Connection c = DriverManager.getConnection(support.vaultUrl());
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void forEncryptionMintsOnceAndAnswersTheSameKeyAlsoAfterARestart() {
        SecretKey first = keys.forEncryption(USER, "u-1");
        assertThat(first.getAlgorithm()).isEqualTo("AES");
        assertThat(first.getEncoded()).hasSize(32);
        assertThat(keys.forEncryption(USER, "u-1").getEncoded()).isEqualTo(first.getEncoded());
        assertThat(keys.forDecryption(USER)).map(SecretKey::getEncoded).contains(first.getEncoded());

        DataKeys restarted = support.restartedKeys(new SimpleMeterRegistry());
        assertThat(restarted.forEncryption(USER, "u-1").getEncoded()).isEqualTo(first.getEncoded());
        assertThat(restarted.forDecryption(USER)).map(SecretKey::getEncoded).contains(first.getEncoded());

        // the vault row holds the key only wrapped, with its fingerprint
        var row = support.vault.scopeState(USER).orElseThrow();
        assertThat(row.state()).isEqualTo(KeyVault.State.ACTIVE);
        assertThat(row.ownerId()).isEqualTo("u-1");
        assertThat(row.fingerprint()).isEqualTo(LocalKeyEncryptionService.fingerprint(first.getEncoded()));
        assertThat(row.wrapped().kekId()).isEqualTo(support.kes.newestKekId());
        assertThat(row.wrapped().sealed()).isNotEqualTo(first.getEncoded());
        assertThat(new String(row.wrapped().sealed(), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain(new String(first.getEncoded(), java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Test
    void differentScopesGetDifferentKeys() {
        assertThat(keys.forEncryption("user:u-1", "u-1").getEncoded())
                .isNotEqualTo(keys.forEncryption("user:u-2", "u-2").getEncoded())
                .isNotEqualTo(keys.forEncryption("conversation:c-1", "u-1").getEncoded());
    }

    @Test
    void concurrentFirstUseOfAScopeYieldsOneKey() throws Exception {
        int threads = 16;
        // several DataKeys instances (separate caches, as on several nodes) over the same vault file
        List<DataKeys> nodes = List.of(keys, support.restartedKeys(new SimpleMeterRegistry()),
                support.restartedKeys(new SimpleMeterRegistry()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                DataKeys node = nodes.get(i % nodes.size());
                Callable<byte[]> task = () -> {
                    start.await();
                    return node.forEncryption("user:race", "race").getEncoded();
                };
                results.add(pool.submit(task));
            }
            start.countDown();
            byte[] expected = results.get(0).get(30, TimeUnit.SECONDS);
            for (Future<byte[]> f : results) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(expected);
            }
            assertThat(rows("SELECT COUNT(*) FROM scope_key WHERE scope = ?", "user:race")).isEqualTo(1);
            assertThat(support.vault.scopeState("user:race").orElseThrow().fingerprint())
                    .isEqualTo(LocalKeyEncryptionService.fingerprint(expected));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fenceStopsEncryptionAndDestroyStopsDecryption() {
        SecretKey key = keys.forEncryption(USER, "u-1");

        String fingerprint = keys.fence(USER, "u-1", "r-1");

        assertThat(fingerprint).isEqualTo(LocalKeyEncryptionService.fingerprint(key.getEncoded()));
        assertThatThrownBy(() -> keys.forEncryption(USER, "u-1"))
                .isInstanceOf(ScopeErasedException.class).hasMessageContaining(USER);
        assertThat(keys.isErased(USER)).isTrue();
        var fenced = support.vault.scopeState(USER).orElseThrow();
        assertThat(fenced.state()).isEqualTo(KeyVault.State.FENCED);
        assertThat(fenced.fencedAt()).isNotNull();
        assertThat(fenced.wrapped()).as("a fenced key is not destroyed yet").isNotNull();

        keys.destroy(USER);

        assertThat(keys.forDecryption(USER)).isEmpty();
        assertThat(keys.isErased(USER)).isTrue();
        var destroyed = support.vault.scopeState(USER).orElseThrow();
        assertThat(destroyed.state()).isEqualTo(KeyVault.State.DESTROYED);
        assertThat(destroyed.wrapped()).as("no wrapped key remains").isNull();
        assertThat(destroyed.destroyedAt()).isNotNull();
        assertThat(destroyed.fingerprint()).as("the tombstone keeps the fingerprint").isEqualTo(fingerprint);

        // and after a restart: nothing is cached, the vault alone says so
        DataKeys restarted = support.restartedKeys(new SimpleMeterRegistry());
        assertThat(restarted.forDecryption(USER)).isEmpty();
        assertThat(restarted.isErased(USER)).isTrue();
        assertThatThrownBy(() -> restarted.forEncryption(USER, "u-1")).isInstanceOf(ScopeErasedException.class);
    }

    @Test
    void aFencedScopeIsUnreadableAtOnceEvenBeforeItsKeyIsDestroyed() {
        // fail closed: from the fence on, the person's data is treated as erased for reads as well as writes
        keys.forEncryption(USER, "u-1");
        keys.fence(USER, "u-1", "r-1");

        assertThat(keys.forDecryption(USER)).isEmpty();
        assertThat(keys.isErased(USER)).isTrue();
        assertThat(support.restartedKeys(new SimpleMeterRegistry()).forDecryption(USER)).isEmpty();
        assertThat(support.vault.scopeState(USER).orElseThrow().wrapped()).as("destroyed only in step 3").isNotNull();
    }

    @Test
    void fencingAScopeThatNeverHadAKeyLeavesATombstoneThatForbidsMinting() {
        String scope = "conversation:c-never";

        String fingerprint = keys.fence(scope, "u-1", "r-1");

        assertThat(fingerprint).isNotBlank();
        var row = support.vault.scopeState(scope).orElseThrow();
        assertThat(row.state()).isEqualTo(KeyVault.State.FENCED);
        assertThat(row.wrapped()).isNull();
        assertThatThrownBy(() -> keys.forEncryption(scope, "u-1")).isInstanceOf(ScopeErasedException.class);
        assertThat(keys.forDecryption(scope)).isEmpty();

        // not just the cache: a fresh instance (restart, or another node) refuses as well, before and after destroy
        DataKeys fresh = support.restartedKeys(new SimpleMeterRegistry());
        assertThatThrownBy(() -> fresh.forEncryption(scope, "u-1")).isInstanceOf(ScopeErasedException.class);
        keys.destroy(scope);
        DataKeys fresher = support.restartedKeys(new SimpleMeterRegistry());
        assertThatThrownBy(() -> fresher.forEncryption(scope, "u-1")).isInstanceOf(ScopeErasedException.class);
        assertThat(fresher.isErased(scope)).isTrue();
        assertThat(support.vault.scopeState(scope).orElseThrow().state()).isEqualTo(KeyVault.State.DESTROYED);
    }

    @Test
    void destroyOfANonFencedScopeFails() {
        keys.forEncryption(USER, "u-1");

        assertThatThrownBy(() -> keys.destroy(USER)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fenced");
        assertThatThrownBy(() -> keys.destroy("user:unknown")).isInstanceOf(IllegalStateException.class);
        // the key is untouched
        assertThat(keys.forDecryption(USER)).isPresent();
        assertThat(support.restartedKeys(new SimpleMeterRegistry()).forDecryption(USER)).isPresent();
        assertThat(support.vault.scopeState(USER).orElseThrow().state()).isEqualTo(KeyVault.State.ACTIVE);
    }

    @Test
    void fenceAndDestroyAreIdempotent() {
        keys.forEncryption(USER, "u-1");
        String first = keys.fence(USER, "u-1", "r-1");
        var fencedAt = support.vault.scopeState(USER).orElseThrow().fencedAt();

        assertThat(keys.fence(USER, "u-1", "r-1")).isEqualTo(first);
        assertThat(support.restartedKeys(new SimpleMeterRegistry()).fence(USER, "u-1", "r-1")).isEqualTo(first);
        assertThat(support.vault.scopeState(USER).orElseThrow().fencedAt()).isEqualTo(fencedAt);

        keys.destroy(USER);
        var destroyedAt = support.vault.scopeState(USER).orElseThrow().destroyedAt();
        keys.destroy(USER);
        support.restartedKeys(new SimpleMeterRegistry()).destroy(USER);
        assertThat(keys.fence(USER, "u-1", "r-1")).isEqualTo(first);

        var row = support.vault.scopeState(USER).orElseThrow();
        assertThat(row.state()).as("fencing again never revives a destroyed key").isEqualTo(KeyVault.State.DESTROYED);
        assertThat(row.destroyedAt()).isEqualTo(destroyedAt);
        assertThat(row.wrapped()).isNull();
    }

    @Test
    void scopesOwnedByListsEveryScopeOfTheOwnerOnly() {
        keys.forEncryption("user:u-1", "u-1");
        keys.forEncryption("conversation:c-1", "u-1");
        keys.forEncryption("conversation:c-2", "u-1");
        keys.forEncryption("user:u-2", "u-2");
        keys.forEncryption("conversation:c-3", "u-2");
        keys.fence("conversation:c-never", "u-1", "r-1"); // a tombstone is owned too

        assertThat(keys.scopesOwnedBy("u-1")).containsExactlyInAnyOrder(
                "user:u-1", "conversation:c-1", "conversation:c-2", "conversation:c-never");
        assertThat(keys.scopesOwnedBy("u-2")).containsExactlyInAnyOrder("user:u-2", "conversation:c-3");
        assertThat(keys.scopesOwnedBy("u-3")).isEmpty();
    }

    @Test
    void cacheCountsHitsAndMisses() {
        var meters = new SimpleMeterRegistry();
        DataKeys counted = support.restartedKeys(meters);

        counted.forEncryption(USER, "u-1"); // miss: minted
        counted.forEncryption(USER, "u-1"); // hit
        counted.forDecryption(USER);        // hit
        assertThat(PrivacyTestSupport.counter(meters, "kimi.privacy.key.cache", "miss")).isEqualTo(1);
        assertThat(PrivacyTestSupport.counter(meters, "kimi.privacy.key.cache", "hit")).isEqualTo(2);

        counted.forDecryption("user:never"); // miss, and not cached: a key may still be minted
        counted.forDecryption("user:never"); // miss again
        assertThat(PrivacyTestSupport.counter(meters, "kimi.privacy.key.cache", "miss")).isEqualTo(3);

        counted.fence(USER, "u-1", "r-1");
        assertThatThrownBy(() -> counted.forEncryption(USER, "u-1")).isInstanceOf(ScopeErasedException.class);
        // negative caching: the erased scope is answered from the cache
        assertThat(PrivacyTestSupport.counter(meters, "kimi.privacy.key.cache", "hit")).isEqualTo(3);
        assertThat(PrivacyTestSupport.counter(meters, "kimi.privacy.key.cache", "miss")).isEqualTo(3);

        DataKeys other = support.restartedKeys(meters); // same registry: the same two counters
        assertThat(other.forDecryption(USER)).isEmpty(); // miss, loads the tombstone
        assertThat(other.forDecryption(USER)).isEmpty(); // hit (negative entry)
        assertThat(PrivacyTestSupport.counter(meters, "kimi.privacy.key.cache", "miss")).isEqualTo(4);
        assertThat(PrivacyTestSupport.counter(meters, "kimi.privacy.key.cache", "hit")).isEqualTo(4);
    }

    @Test
    void erasureInvalidatesTheCacheOfTheNodeThatErases() {
        keys.forEncryption(USER, "u-1");
        assertThat(keys.forDecryption(USER)).isPresent(); // cached

        keys.fence(USER, "u-1", "r-1");
        keys.destroy(USER);

        assertThat(keys.forDecryption(USER)).isEmpty();
    }
}
