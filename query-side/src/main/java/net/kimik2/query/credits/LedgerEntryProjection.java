package net.kimik2.query.credits;

import java.util.Date;
import java.util.List;
import net.kimik2.api.credits.CreditsCapturedEvent;
import net.kimik2.api.credits.CreditsGrantedEvent;
import net.kimik2.api.credits.CreditsClawedBackEvent;
import net.kimik2.api.credits.CreditsHeldEvent;
import net.kimik2.api.credits.CreditsReleasedEvent;
import net.kimik2.api.credits.FindCreditLedgerQuery;
import net.kimik2.api.credits.LedgerEntryView;
import net.kimik2.api.credits.LedgerPage;
import net.kimik2.query.platform.Cursors;
import net.kimik2.query.platform.ViewCollections;
import net.kimik2.query.platform.ViewBatch;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.queryhandling.QueryHandler;
import org.bson.Document;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * One document per ledger movement, keyed by ledger and sequence number (so a redelivery overwrites itself), listed
 * newest first with an opaque cursor over the sequence number.
 */
@Component
@ProcessingGroup("credits-ledger")
class LedgerEntryProjection {

    static final String COLLECTION = "credits_ledger_entry";

    private final MongoTemplate mongo;

    LedgerEntryProjection(MongoTemplate mongo) {
        this.mongo = mongo;
        ensureIndex();
    }

    private void ensureIndex() {
        mongo.indexOps(COLLECTION).ensureIndex(new Index().on("userId", Sort.Direction.ASC).on("seq", Sort.Direction.DESC));
    }

    @EventHandler
    void on(CreditsGrantedEvent event, @SequenceNumber long sequence, @Timestamp java.time.Instant at) {
        String id = event.ledgerId() + ":" + sequence;
        ViewBatch.current().replace(COLLECTION, id, new Document("_id", id)
                .append("userId", event.userId())
                .append("seq", sequence)
                .append("kind", "grant")
                .append("amount", event.amount())
                .append("createdAt", Date.from(at))
                .append("reference", event.source()));
    }

    @EventHandler
    void on(CreditsHeldEvent event, @SequenceNumber long sequence, @Timestamp java.time.Instant at) {
        entry(event.ledgerId(), event.userId(), sequence, "hold", -event.amount(), at, "prompt:" + event.holdId());
    }

    @EventHandler
    void on(CreditsReleasedEvent event, @SequenceNumber long sequence, @Timestamp java.time.Instant at) {
        entry(event.ledgerId(), event.userId(), sequence, "release", event.amount(), at,
                "prompt:" + event.holdId() + ":" + event.code().name().toLowerCase(java.util.Locale.ROOT));
    }

    @EventHandler
    void on(CreditsCapturedEvent event, @SequenceNumber long sequence, @Timestamp java.time.Instant at) {
        entry(event.ledgerId(), event.userId(), sequence, "capture", -event.amount(), at, "prompt:" + event.holdId());
    }

    @EventHandler
    void on(CreditsClawedBackEvent event, @SequenceNumber long sequence, @Timestamp java.time.Instant at) {
        entry(event.ledgerId(), event.userId(), sequence, "clawback", -event.amount(), at, event.clawbackId());
    }

    /** Hold, release and capture of one prompt add up to its charge: hold -h, release +h, capture -cost. */
    private static void entry(String ledgerId, String userId, long sequence, String kind, long amount,
                              java.time.Instant at, String reference) {
        String id = ledgerId + ":" + sequence;
        ViewBatch.current().replace(COLLECTION, id, new Document("_id", id)
                .append("userId", userId)
                .append("seq", sequence)
                .append("kind", kind)
                .append("amount", amount)
                .append("createdAt", Date.from(at))
                .append("reference", reference));
    }

    @ResetHandler
    void reset() {
        ViewCollections.drop(mongo, COLLECTION);
        ensureIndex();
    }

    @QueryHandler
    LedgerPage handle(FindCreditLedgerQuery query) {
        Criteria criteria = Criteria.where("userId").is(query.userId());
        if (query.page().after() != null) {
            criteria = criteria.and("seq").lt(Cursors.decode("ledger", query.page().after()));
        }
        int first = query.page().first();
        List<Document> docs = mongo.find(Query.query(criteria).with(Sort.by(Sort.Direction.DESC, "seq")).limit(first + 1),
                Document.class, COLLECTION);
        boolean hasNext = docs.size() > first;
        List<Document> page = hasNext ? docs.subList(0, first) : docs;
        List<LedgerEntryView> entries = page.stream()
                .map(d -> new LedgerEntryView(d.getString("_id"), d.getString("kind"), d.getLong("amount"),
                        d.getDate("createdAt").toInstant(), d.getString("reference"), Cursors.encode("ledger", d.getLong("seq"))))
                .toList();
        String endCursor = entries.isEmpty() ? null : entries.get(entries.size() - 1).cursor();
        return new LedgerPage(entries, hasNext, endCursor);
    }
}
