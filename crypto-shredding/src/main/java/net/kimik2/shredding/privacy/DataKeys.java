package net.kimik2.shredding.privacy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-scope data-encryption keys ({@code user:<id>}, {@code conversation:<id>}), minted on first use, kept only
 * wrapped in the {@link KeyVault}, cached (bounded, with negative entries for erased scopes). A scope's key row is
 * also its tombstone, so once a scope is fenced no key for it can ever be minted again.
 */
public class DataKeys {

    /** Cache entry: a usable key, or the fact that the scope is erased (fenced or destroyed). */
    private record Entry(SecretKey key, boolean erased) {
    }

    private static final Entry ERASED = new Entry(null, true);

    private final KeyVault vault;
    private final KeyEncryptionService kes;
    private final Cache<String, Entry> cache;
    private volatile java.util.function.Consumer<String> erasedListener = scope -> { };
    private final SecureRandom random = new SecureRandom();
    private final Counter hits;
    private final Counter misses;

    public DataKeys(KeyVault vault, KeyEncryptionService kes, MeterRegistry meters, int cacheSize, Duration cacheTtl) {
        this.vault = vault;
        this.kes = kes;
        // the TTL bounds how long another node may keep using a key that was destroyed here
        this.cache = Caffeine.newBuilder().maximumSize(cacheSize).expireAfterWrite(cacheTtl).build();
        this.hits = Counter.builder("kimi.privacy.key.cache").tag("result", "hit").register(meters);
        this.misses = Counter.builder("kimi.privacy.key.cache").tag("result", "miss").register(meters);
    }

    /** The key to encrypt under; minted when the scope has none. Fails for an erased scope. */
    public SecretKey forEncryption(String scope, String ownerId) {
        Entry entry = cache.getIfPresent(scope);
        if (entry != null) {
            hits.increment();
        } else {
            misses.increment();
            entry = load(scope).orElseGet(() -> mint(scope, ownerId));
            cache.put(scope, entry);
        }
        if (entry.erased()) {
            throw new ScopeErasedException(scope);
        }
        return entry.key();
    }

    /** The key to decrypt with; empty once the scope is erased (or never had a key). */
    public Optional<SecretKey> forDecryption(String scope) {
        return Optional.ofNullable(decryptionKeyOrNull(scope));
    }

    /** {@link #forDecryption} without the Optional (the per-value hot path): null once erased or never keyed. */
    public SecretKey decryptionKeyOrNull(String scope) {
        Entry entry = cache.getIfPresent(scope);
        if (entry != null) {
            hits.increment();
        } else {
            misses.increment();
            Optional<Entry> loaded = load(scope);
            if (loaded.isEmpty()) {
                return null; // not cached: a key may be minted later
            }
            entry = loaded.get();
            cache.put(scope, entry);
        }
        return entry.key(); // null for an erased entry
    }

    public boolean isErased(String scope) {
        Entry entry = cache.getIfPresent(scope);
        if (entry != null) {
            return entry.erased();
        }
        return vault.scopeState(scope).map(s -> s.state() != KeyVault.State.ACTIVE).orElse(false);
    }

    private Optional<Entry> load(String scope) {
        return vault.scopeState(scope).map(row -> row.state() == KeyVault.State.ACTIVE
                ? new Entry(new SecretKeySpec(kes.unwrap(row.wrapped(), wrapContext(scope)), "AES"), false)
                : ERASED);
    }

    private Entry mint(String scope, String ownerId) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        var wrapped = kes.wrap(raw, wrapContext(scope));
        if (vault.insertKey(scope, ownerId, wrapped, LocalKeyEncryptionService.fingerprint(raw), Instant.now())) {
            return new Entry(new SecretKeySpec(raw, "AES"), false);
        }
        // another thread or node minted (or fenced) it first: use what is stored
        return load(scope).orElseThrow(() -> new IllegalStateException("key row vanished for " + scope));
    }

    /** Erasure step 2: marks the scope erased (idempotent). Answers the fingerprint of the key that will be destroyed. */
    public String fence(String scope, String ownerId, String requestId) {
        String fingerprint = vault.fence(scope, ownerId, requestId, Instant.now());
        cache.put(scope, ERASED);
        erasedListener.accept(scope);
        return fingerprint;
    }

    /** Erasure step 3: destroys the wrapped key of a fenced scope (idempotent). */
    public void destroy(String scope) {
        vault.destroy(scope, Instant.now());
        cache.put(scope, ERASED);
        erasedListener.accept(scope);
    }

    /** Told the scope of every fence and destruction here (other nodes must drop their cached key, ADR 0025). */
    public void onErased(java.util.function.Consumer<String> listener) {
        this.erasedListener = listener;
    }

    /** Drops a cached key: the next use reads the vault again (a scope erased on another node). */
    public void evict(String scope) {
        cache.invalidate(scope);
    }

    public void evictAll() {
        cache.invalidateAll();
    }

    public List<String> scopesOwnedBy(String ownerId) {
        return vault.scopesOwnedBy(ownerId);
    }

    private static String wrapContext(String scope) {
        return "dek:" + scope;
    }
}
