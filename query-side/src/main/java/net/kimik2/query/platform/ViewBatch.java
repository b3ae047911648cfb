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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Collects a projection's writes for the current event batch and sends them as one ordered bulk write per
 * collection when the batch's last event has been handled ({@link ViewBatchInterceptor}), before the processor
 * stores its token. Guarded updates ({@link #guardedUpdate}) make redelivery after a crash harmless: an update whose
 * sequence number the document has already seen matches nothing, its upsert hits the unique {@code _id}, and that
 * duplicate-key error is the signal "already applied".
 */
public final class ViewBatch {

    private static final String RESOURCE = ViewBatch.class.getName();
    private static final int DUPLICATE_KEY = 11000;

    private final Map<String, List<WriteModel<Document>>> writes = new LinkedHashMap<>();
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
        Bson filter = Filters.and(Filters.eq("_id", id), Filters.lt("seq", sequence));
        Bson withSeq = new Document("$set", new Document("seq", sequence));
        add(collection, new UpdateOneModel<>(filter, com.mongodb.client.model.Updates.combine(update, withSeq),
                new UpdateOptions().upsert(true)));
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
        writes.forEach((name, models) -> write(mongo.getCollection(name), models));
        writes.clear();
        afterFlush.values().forEach(Runnable::run);
        afterFlush.clear();
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
