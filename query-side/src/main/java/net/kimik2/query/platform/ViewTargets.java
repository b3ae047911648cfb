package net.kimik2.query.platform;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import com.mongodb.MongoNamespace;
import com.mongodb.client.model.RenameCollectionOptions;
import org.bson.Document;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Where a view processor's writes go (issue 12, ADR 0023): normally its views' own collections; during a replay
 * their shadows ({@code <collection>__replay}), so that the old views keep serving queries until the rebuilt ones
 * replace them in one rename each. A processor's collections are learnt from what its reset handlers drop and what
 * its batches write.
 */
public final class ViewTargets {

    public static final String SHADOW_SUFFIX = "__replay";
    /** The reset running on this thread: its handlers' drops go to the shadows. */
    private static final ThreadLocal<Set<String>> RESETTING = new ThreadLocal<>();

    private final Map<String, Set<String>> shadowed = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    static String shadow(String collection) {
        return collection + SHADOW_SUFFIX;
    }

    /** Starts writing the processor's views into shadows; call before its reset. */
    public void beginShadow(String processor) {
        shadowed.put(processor, ConcurrentHashMap.newKeySet());
    }

    public boolean isShadowed(String processor) {
        return shadowed.containsKey(processor);
    }

    /** Runs the processor's reset with its handlers' drops sent to the shadows. */
    public void resetting(String processor, Runnable reset) {
        Set<String> collections = shadowed.get(processor);
        RESETTING.set(collections);
        try {
            reset.run();
        } finally {
            RESETTING.remove();
        }
    }

    /** For reset handlers: the collection to drop (the shadow while a shadow reset runs on this thread). */
    static String dropTarget(String collection) {
        Set<String> collections = RESETTING.get();
        if (collections == null) {
            return collection;
        }
        collections.add(collection);
        return shadow(collection);
    }

    /** For batch flushes: the collection to write. */
    String writeTarget(String processor, String collection) {
        Set<String> collections = shadowed.get(processor);
        if (collections == null) {
            return collection;
        }
        collections.add(collection);
        return shadow(collection);
    }

    /** Held while a batch of the processor is written, so that a switch never falls between its writes. */
    ReentrantLock lock(String processor) {
        return locks.computeIfAbsent(processor, k -> new ReentrantLock());
    }

    /**
     * Puts the rebuilt views in place of the old ones: each shadow renamed over its collection (atomic per
     * collection), a collection the replay never wrote dropped. Later batches write the collections again.
     */
    public void switchToLive(String processor, MongoTemplate mongo) {
        ReentrantLock lock = lock(processor);
        lock.lock();
        try {
            Set<String> collections = shadowed.get(processor);
            if (collections == null) {
                return;
            }
            for (String collection : collections) {
                if (mongo.collectionExists(shadow(collection))) {
                    copyIndexes(mongo, collection, shadow(collection));
                    mongo.getCollection(shadow(collection)).renameCollection(
                            new MongoNamespace(mongo.getDb().getName(), collection),
                            new RenameCollectionOptions().dropTarget(true));
                } else if (mongo.collectionExists(collection)) {
                    mongo.dropCollection(collection);
                }
            }
            shadowed.remove(processor);
        } finally {
            lock.unlock();
        }
    }

    /** The rebuilt collection gets the indexes the projection made on the old one (a rename keeps the shadow's). */
    private static void copyIndexes(MongoTemplate mongo, String from, String to) {
        if (!mongo.collectionExists(from)) {
            return;
        }
        for (Document index : mongo.getCollection(from).listIndexes()) {
            if ("_id_".equals(index.getString("name"))) {
                continue;
            }
            com.mongodb.client.model.IndexOptions options = new com.mongodb.client.model.IndexOptions()
                    .name(index.getString("name")).unique(Boolean.TRUE.equals(index.getBoolean("unique")));
            mongo.getCollection(to).createIndex((Document) index.get("key"), options);
        }
    }

    /** Abandons a replay: the shadows are dropped and the old views stay as they were. */
    public void cancel(String processor, MongoTemplate mongo) {
        ReentrantLock lock = lock(processor);
        lock.lock();
        try {
            Set<String> collections = shadowed.remove(processor);
            if (collections != null) {
                collections.forEach(c -> ViewCollections.dropIfExists(mongo, shadow(c)));
            }
        } finally {
            lock.unlock();
        }
    }
}
