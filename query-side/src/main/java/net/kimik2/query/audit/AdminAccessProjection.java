package net.kimik2.query.audit;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import net.kimik2.api.audit.AdminAccessEntry;
import net.kimik2.api.audit.AdminAccessPage;
import net.kimik2.api.audit.AdminAccessRecordedEvent;
import net.kimik2.api.audit.FindAdminAccessLogQuery;
import net.kimik2.query.platform.Cursors;
import net.kimik2.query.platform.ViewBatch;
import net.kimik2.query.platform.ViewCollections;
import net.kimik2.shredding.privacy.FieldCipher;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.queryhandling.QueryHandler;
import org.bson.Document;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * The admin-access log: one document per recorded read, keyed by its id (a replay writes the same documents). The
 * reason stays encrypted under the admin's key, as in the event; everything else is ids, labels and times.
 */
@Component
@ProcessingGroup("audit-admin-access")
class AdminAccessProjection {

    static final String COLLECTION = "audit_admin_access";
    private static final String CURSOR = "access";

    private final MongoTemplate mongo;
    private final FieldCipher cipher;

    AdminAccessProjection(MongoTemplate mongo, FieldCipher cipher) {
        this.mongo = mongo;
        this.cipher = cipher;
    }

    @EventHandler
    void on(AdminAccessRecordedEvent event) {
        String scope = "user:" + event.adminId();
        String reason = event.reason() == null || cipher.keys().isErased(scope) ? null
                : cipher.encryptString(scope, event.adminId(), "reason", event.reason());
        ViewBatch.current().replace(COLLECTION, event.accessId(), new Document("_id", event.accessId())
                .append("adminId", event.adminId())
                .append("subjectId", event.subjectId())
                .append("what", event.what())
                .append("reason", reason)
                .append("at", Date.from(event.at()))
                .append("atMillis", event.at().toEpochMilli()));
    }

    @ResetHandler
    void reset() {
        ViewCollections.drop(mongo, COLLECTION);
    }

    @QueryHandler
    AdminAccessPage handle(FindAdminAccessLogQuery query) {
        Criteria criteria = query.subjectId() == null ? new Criteria() : Criteria.where("subjectId").is(query.subjectId());
        if (query.page().after() != null) {
            criteria = criteria.and("atMillis").lt(Cursors.decode(CURSOR, query.page().after()));
        }
        int first = query.page().first();
        List<Document> docs = mongo.find(Query.query(criteria).with(Sort.by(Sort.Direction.DESC, "atMillis"))
                .limit(first + 1), Document.class, COLLECTION);
        boolean hasNext = docs.size() > first;
        List<AdminAccessEntry> entries = new ArrayList<>();
        for (Document d : hasNext ? docs.subList(0, first) : docs) {
            String reason = d.getString("reason") == null ? null : cipher.decryptString("user:" + d.getString("adminId"),
                    "reason", d.getString("reason")).orElse("[erased]");
            entries.add(new AdminAccessEntry(d.getString("_id"), d.getString("adminId"), d.getString("subjectId"),
                    d.getString("what"), reason, d.getDate("at").toInstant(), Cursors.encode(CURSOR, d.getLong("atMillis"))));
        }
        return new AdminAccessPage(entries, hasNext, entries.isEmpty() ? null : entries.get(entries.size() - 1).cursor());
    }
}
