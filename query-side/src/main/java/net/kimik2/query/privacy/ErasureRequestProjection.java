package net.kimik2.query.privacy;

import com.mongodb.client.model.Updates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import net.kimik2.api.privacy.ErasureCertificate;
import net.kimik2.api.privacy.ErasureCompletedEvent;
import net.kimik2.api.privacy.ErasureRequestPage;
import net.kimik2.api.privacy.ErasureRequestView;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.api.privacy.FindErasureCertificateQuery;
import net.kimik2.api.privacy.FindErasureRequestsQuery;
import net.kimik2.api.privacy.FindLatestErasureRequestQuery;
import net.kimik2.query.platform.Cursors;
import net.kimik2.query.platform.ViewCollections;
import net.kimik2.query.platform.ViewBatch;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.bson.Document;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * Erasure requests and their certificates for admins (no personal data: ids, times, counts, fingerprints).
 * Status is REQUESTED until the certificate is recorded, then COMPLETED.
 */
@Component
@ProcessingGroup("privacy-erasure-requests")
class ErasureRequestProjection {

    static final String COLLECTION = "privacy_erasure_request";

    private final MongoTemplate mongo;
    private final QueryUpdateEmitter emitter;

    ErasureRequestProjection(MongoTemplate mongo, QueryUpdateEmitter emitter) {
        this.mongo = mongo;
        this.emitter = emitter;
    }

    /** Announces the person's latest request once the batch is written (read-your-writes for the mutation). */
    private void announce(ViewBatch batch, String userId) {
        batch.afterFlush("erasure:" + userId, () -> handle(new FindLatestErasureRequestQuery(userId)).ifPresent(
                view -> emitter.emit(FindLatestErasureRequestQuery.class, q -> q.userId().equals(userId), view)));
    }

    @EventHandler
    void on(ErasureRequestedEvent event, @SequenceNumber long sequence) {
        ViewBatch.current().guardedUpdate(COLLECTION, event.requestId(), sequence, Updates.combine(
                Updates.set("userId", event.userId()),
                Updates.set("status", "REQUESTED"),
                Updates.set("requestedAt", Date.from(event.requestedAt())),
                Updates.set("requestedAtMillis", event.requestedAt().toEpochMilli()),
                Updates.set("deadline", Date.from(event.deadline())),
                Updates.set("adminInitiated", event.adminInitiated()),
                Updates.set("actorId", event.actorId())));
        announce(ViewBatch.current(), event.userId());
    }

    @EventHandler
    void on(ErasureCompletedEvent event, @SequenceNumber long sequence) {
        ErasureCertificate c = event.certificate();
        ViewBatch.current().guardedUpdate(COLLECTION, event.requestId(), sequence, Updates.combine(
                Updates.set("status", "COMPLETED"),
                Updates.set("completedAt", Date.from(c.completedAt())),
                Updates.set("certificate", new Document("scopes", c.scopes())
                        .append("keyFingerprints", c.keyFingerprints())
                        .append("eventsAffected", c.eventsAffected())
                        .append("viewDocumentsPurged", c.viewDocumentsPurged())
                        .append("legalBasis", c.legalBasis())
                        .append("requestedAt", Date.from(c.requestedAt())))));
        announce(ViewBatch.current(), event.userId());
    }

    @ResetHandler
    void reset() {
        ViewCollections.drop(mongo, COLLECTION);
    }

    @QueryHandler
    ErasureRequestPage handle(FindErasureRequestsQuery query) {
        Criteria criteria = new Criteria();
        if (query.page().after() != null) {
            criteria = Criteria.where("requestedAtMillis").lt(Cursors.decode("erasure", query.page().after()));
        }
        int first = query.page().first();
        List<Document> docs = mongo.find(Query.query(criteria).with(Sort.by(Sort.Direction.DESC, "requestedAtMillis"))
                .limit(first + 1), Document.class, COLLECTION);
        boolean hasNext = docs.size() > first;
        List<ErasureRequestView> views = new ArrayList<>();
        for (Document d : hasNext ? docs.subList(0, first) : docs) {
            views.add(toView(d));
        }
        return new ErasureRequestPage(views, hasNext, views.isEmpty() ? null : views.get(views.size() - 1).cursor());
    }

    @QueryHandler
    Optional<ErasureRequestView> handle(FindLatestErasureRequestQuery query) {
        return mongo.find(Query.query(Criteria.where("userId").is(query.userId()))
                        .with(Sort.by(Sort.Direction.DESC, "requestedAtMillis")).limit(1), Document.class, COLLECTION)
                .stream().findFirst().map(ErasureRequestProjection::toView);
    }

    @QueryHandler
    Optional<ErasureCertificate> handle(FindErasureCertificateQuery query) {
        Document d = mongo.findOne(Query.query(Criteria.where("_id").is(query.requestId())), Document.class, COLLECTION);
        if (d == null || !(d.get("certificate") instanceof Document c)) {
            return Optional.empty();
        }
        return Optional.of(new ErasureCertificate(d.getString("_id"), d.getString("userId"),
                c.getList("scopes", String.class), c.getList("keyFingerprints", String.class),
                c.getLong("eventsAffected"), c.getLong("viewDocumentsPurged"), instant(c.getDate("requestedAt")),
                instant(d.getDate("completedAt")), d.getString("actorId"), c.getString("legalBasis")));
    }

    private static ErasureRequestView toView(Document d) {
        return new ErasureRequestView(d.getString("_id"), d.getString("userId"), d.getString("status"),
                instant(d.getDate("requestedAt")), instant(d.getDate("deadline")), instant(d.getDate("completedAt")),
                Boolean.TRUE.equals(d.getBoolean("adminInitiated")), d.getString("actorId"),
                Cursors.encode("erasure", d.getLong("requestedAtMillis")));
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
