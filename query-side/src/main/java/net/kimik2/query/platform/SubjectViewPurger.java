package net.kimik2.query.platform;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import java.util.List;
import java.util.Map;
import net.kimik2.api.privacy.PurgeSubjectViewsCommand;
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
        for (SubjectDocuments view : views) {
            for (Map.Entry<String, Bson> documents : view.subjectDocuments(command.userId()).entrySet()) {
                String collection = documents.getKey();
                String recordId = command.requestId() + "/" + collection;
                if (records.countDocuments(Filters.eq("_id", recordId)) == 0) {
                    long count = mongo.getCollection(collection).countDocuments(documents.getValue());
                    record(records, new Document("_id", recordId).append("requestId", command.requestId())
                            .append("collection", collection).append("purged", count));
                }
                mongo.getCollection(collection).deleteMany(documents.getValue());
            }
        }
        long purged = 0;
        for (Document record : records.find(Filters.eq("requestId", command.requestId()))) {
            purged += record.get("purged", Number.class).longValue();
        }
        return purged;
    }

    private static void record(MongoCollection<Document> records, Document record) {
        try {
            records.insertOne(record);
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                throw e;
            }
            // a concurrent run of the same step recorded it first: its count stands
        }
    }
}
