package net.kimik2.query.privacy;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.kimik2.api.privacy.PurgeSubjectViewsCommand;
import net.kimik2.query.platform.SubjectDocuments;
import org.axonframework.commandhandling.CommandHandler;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.stereotype.Component;

/**
 * Erasure step 4 on the read side: deletes the person's documents from every view that holds some, and answers the
 * number for the certificate. Each collection's count is written to {@value #RECORDS} (one document per request and
 * collection, never overwritten) before its documents are deleted, so a repeated step - after a crash, or a retry -
 * reports what the first run purged instead of zero. The projections delete only on the completion event, after this
 * step, so they cannot take documents away before they are counted.
 */
@Component
class SubjectViewPurger {

    static final String RECORDS = "privacy_view_purges";

    private final List<SubjectDocuments> views;
    private final MongoTemplate mongo;

    SubjectViewPurger(List<SubjectDocuments> views, MongoTemplate mongo) {
        this.views = views;
        this.mongo = mongo;
    }

    @CommandHandler
    long handle(PurgeSubjectViewsCommand command) {
        MongoCollection<Document> records = mongo.getCollection(RECORDS);
        Map<String, Long> purged = new HashMap<>(); // collection -> count recorded for this request
        for (Document record : records.find(Filters.eq("requestId", command.requestId()))) {
            purged.put(record.getString("collection"), record.get("purged", Number.class).longValue());
        }
        for (SubjectDocuments view : views) {
            for (Map.Entry<String, Bson> documents : view.subjectDocuments(command.userId()).entrySet()) {
                String collection = documents.getKey();
                MongoCollection<Document> target = mongo.getCollection(collection);
                if (!purged.containsKey(collection)) {
                    purged.put(collection, record(records, command.requestId(), collection,
                            target.countDocuments(documents.getValue())));
                }
                target.deleteMany(documents.getValue());
            }
        }
        return purged.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Stores a collection's count for the request; answers the count that stands (a concurrent run's, if first). */
    private static long record(MongoCollection<Document> records, String requestId, String collection, long count) {
        String id = requestId + "/" + collection;
        try {
            records.insertOne(new Document("_id", id).append("requestId", requestId).append("collection", collection)
                    .append("purged", count));
            return count;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                throw e;
            }
            return records.find(Filters.eq("_id", id)).first().get("purged", Number.class).longValue();
        }
    }
}
