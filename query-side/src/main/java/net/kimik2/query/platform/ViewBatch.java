package net.kimik2.query.platform;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Updates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Collects a projection's writes for the current event batch and sends them as one ordered bulk write per
 * collection when the batch's last event has been handled ({@link ViewBatchInterceptor}), before the processor
 * stores its token. Guarded updates ({@link #guardedUpdate}) make redelivery after a crash harmless: an update whose
 * sequence number the document has already seen is dropped.
 *
 * <p>The guard is checked here, against one {@code _id $in} read of the batch's documents, and the update is sent
 * with an {@code _id}-only filter. A filter with the guard in it ({@code _id} and {@code seq < n}) is what MongoDB
 * would serve by its {@code _id} index, but the embedded view store (mongo-java-server) only uses an index for a
 * query on exactly the index's keys and scanned the whole collection for every such update: a replay of 54,000
 * events spent two thirds of its CPU in those scans (issue 11). Each view document is written by one processor
 * segment only (its aggregate's), so no other writer moves {@code seq} between the read and the write. After a
 * delete in the same collection and batch the read may be stale; from there the batch falls back to the guarded
 * filter, whose upsert hits the unique {@code _id} when already applied, and that duplicate-key error is skipped.
 */
public final class ViewBatch {

    private static final String RESOURCE = ViewBatch.class.getName();
    private static final int DUPLICATE_KEY = 11000;

    /** A guarded update, resolved against the document's {@code seq} when the batch is written. */
    private record Guarded(Object id, long sequence, Bson update) {
    }

    /** Per collection, in order: {@link WriteModel}s and {@link Guarded} updates. */
    private final Map<String, List<Object>> writes = new LinkedHashMap<>();
    private final Map<Object, Runnable> afterFlush = new LinkedHashMap<>();
    private final Map<Object, Object> resources = new LinkedHashMap<>();

    /** The batch of the current unit of work (one per processor batch). */
    public static ViewBatch current() {
        UnitOfWork<?> uow = CurrentUnitOfWork.get().root();
        return uow.getOrComputeResource(RESOURCE, k -> new ViewBatch());
    }

    static ViewBatch detach(UnitOfWork<?> uow) {
        return uow.root().resources().containsKey(RESOURCE) ? (ViewBatch) uow.root().resources().remove(RESOURCE) : null;
    }

    public void replace(String collection, Object id, Document document) {
        add(collection, new ReplaceOneModel<>(Filters.eq("_id", id), document, new ReplaceOptions().upsert(true)));
    }

    /** Applies {@code update} once per {@code sequence}: only while the document's {@code seq} is lower. */
    public void guardedUpdate(String collection, Object id, long sequence, Bson update) {
        writes.computeIfAbsent(collection, k -> new ArrayList<>()).add(new Guarded(id, sequence, update));
    }

    /** An idempotent update of an existing document (setting values; replays set the same values again). */
    public void update(String collection, Object id, Bson update) {
        add(collection, new com.mongodb.client.model.UpdateOneModel<>(Filters.eq("_id", id), update));
    }

    public void deleteMany(String collection, Bson filter) {
        add(collection, new DeleteManyModel<>(filter));
    }

    private void add(String collection, WriteModel<Document> model) {
        writes.computeIfAbsent(collection, k -> new ArrayList<>()).add(model);
    }

    /** Runs {@code action} once after this batch was written (deduplicated by {@code key}), e.g. to notify queries. */
    public void afterFlush(Object key, Runnable action) {
        afterFlush.putIfAbsent(key, action);
    }

    /** Per-batch state of a projection, e.g. the ids it touched. */
    @SuppressWarnings("unchecked")
    public <T> T resource(Object key, java.util.function.Supplier<T> factory) {
        return (T) resources.computeIfAbsent(key, k -> factory.get());
    }

    public boolean isEmpty() {
        return writes.isEmpty();
    }

    void flush(MongoTemplate mongo) {
        flush(mongo, java.util.function.UnaryOperator.identity());
    }

    /** Writes the batch, each collection to {@code target}'s name for it (a shadow during a replay). */
    void flush(MongoTemplate mongo, java.util.function.UnaryOperator<String> target) {
        writes.forEach((name, ops) -> {
            MongoCollection<Document> collection = mongo.getCollection(target.apply(name));
            write(collection, resolve(collection, ops));
        });
        writes.clear();
        afterFlush.values().forEach(Runnable::run);
        afterFlush.clear();
    }

    /**
     * Turns guarded updates into plain {@code _id} updates, dropping those whose sequence number the document has
     * seen; a document without {@code seq} counts as having seen every one (as the guarded filter treats it).
     */
    private static List<WriteModel<Document>> resolve(MongoCollection<Document> collection, List<Object> ops) {
        Set<Object> ids = new LinkedHashSet<>();
        for (Object op : ops) {
            if (!(op instanceof Guarded g)) {
                break; // after another write the read would have to come later: not needed, see below
            }
            ids.add(g.id());
        }
        Map<Object, Long> seen = new HashMap<>();
        if (!ids.isEmpty()) {
            for (Document d : collection.find(Filters.in("_id", ids)).projection(Projections.include("seq"))) {
                Object seq = d.get("seq");
                seen.put(d.get("_id"), seq instanceof Number n ? n.longValue() : Long.MAX_VALUE);
            }
        }
        List<WriteModel<Document>> models = new ArrayList<>(ops.size());
        boolean known = true; // whether `seen` still describes the documents
        for (Object op : ops) {
            if (op instanceof Guarded g) {
                Bson withSeq = Updates.combine(g.update(), Updates.set("seq", g.sequence()));
                if (known) {
                    Long current = seen.get(g.id());
                    if (current != null && current >= g.sequence()) {
                        continue; // already applied
                    }
                    seen.put(g.id(), g.sequence());
                    models.add(new UpdateOneModel<>(Filters.eq("_id", g.id()), withSeq, new UpdateOptions().upsert(true)));
                } else {
                    Bson filter = Filters.and(Filters.eq("_id", g.id()), Filters.lt("seq", g.sequence()));
                    models.add(new UpdateOneModel<>(filter, withSeq, new UpdateOptions().upsert(true)));
                }
            } else {
                @SuppressWarnings("unchecked")
                WriteModel<Document> model = (WriteModel<Document>) op;
                models.add(model);
                known = false; // a delete or replace may have changed what was read
            }
        }
        return models;
    }

    private static void write(MongoCollection<Document> collection, List<WriteModel<Document>> models) {
        int from = 0;
        while (from < models.size()) {
            try {
                collection.bulkWrite(models.subList(from, models.size()), new BulkWriteOptions().ordered(true));
                return;
            } catch (MongoBulkWriteException e) {
                BulkWriteError error = e.getWriteErrors().get(0);
                if (error.getCode() != DUPLICATE_KEY) {
                    throw e;
                }
                from += error.getIndex() + 1; // already applied: skip it, keep the order of the rest
            }
        }
    }
}
