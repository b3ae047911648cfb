package net.kimik2.axon.platform;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A bounded in-process cache of what every request reads (sessions, accounts, balances), kept current by the events
 * that change them: their handlers {@link #invalidate} the entries once the change is visible in the store. A load
 * that raced an invalidation is never kept (a generation stamp is compared after the put), so a reader can never
 * re-insert the value from before the change. The expiry bounds staleness for changes this node does not see.
 */
public final class ReadCache<K, V> {

    private final Cache<K, V> cache;
    private final AtomicLong generation = new AtomicLong();

    public ReadCache(String name, long maximumSize, Duration expireAfterWrite, MeterRegistry meters) {
        this.cache = Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(expireAfterWrite)
                .recordStats().build();
        if (meters != null) {
            CaffeineCacheMetrics.monitor(meters, cache, name);
        }
    }

    /** The cached value, else the loader's (cached only if present and no invalidation raced the load). */
    public Optional<V> get(K key, Function<K, Optional<V>> loader) {
        V cached = cache.getIfPresent(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        long seen = generation.get();
        Optional<V> loaded = loader.apply(key);
        loaded.ifPresent(v -> keep(key, v, seen));
        return loaded;
    }

    /** Several keys at once: the cached ones, and the rest from one call of the loader. */
    public Map<K, V> getAll(Collection<K> keys, Function<Collection<K>, Map<K, V>> loader) {
        Map<K, V> found = new LinkedHashMap<>(cache.getAllPresent(keys));
        if (found.size() == keys.size()) {
            return found;
        }
        long seen = generation.get();
        var missing = keys.stream().filter(k -> !found.containsKey(k)).distinct().toList();
        loader.apply(missing).forEach((k, v) -> {
            found.put(k, v);
            keep(k, v, seen);
        });
        return found;
    }

    private void keep(K key, V value, long seen) {
        cache.put(key, value);
        if (generation.get() != seen) {
            cache.invalidate(key); // an invalidation ran during the load: the value may predate it
        }
    }

    public void invalidate(K key) {
        generation.incrementAndGet();
        cache.invalidate(key);
    }

    public void invalidateAll(Collection<K> keys) {
        generation.incrementAndGet();
        cache.invalidateAll(keys);
    }

    public void invalidateAll() {
        generation.incrementAndGet();
        cache.invalidateAll();
    }
}
