package net.kimik2.query.platform;

import org.springframework.data.mongodb.core.MongoTemplate;

/** What the projections' reset handlers share. */
public final class ViewCollections {

    private ViewCollections() {
    }

    /**
     * Drops the views' collections before a replay. A collection that was never written (no erasure requested yet,
     * say) is skipped: MongoDB ignores dropping it, but the embedded view store logs the refusal as an ERROR.
     */
    public static void drop(MongoTemplate mongo, String... collections) {
        for (String collection : collections) {
            // during a replay into new collections (ViewTargets) this drops the shadow, never the serving view
            dropIfExists(mongo, ViewTargets.dropTarget(collection));
        }
    }

    static void dropIfExists(MongoTemplate mongo, String collection) {
        if (mongo.collectionExists(collection)) {
            mongo.dropCollection(collection);
        }
    }
}
