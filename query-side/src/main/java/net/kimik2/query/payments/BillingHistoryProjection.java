package net.kimik2.query.payments;

import com.mongodb.client.model.Updates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import net.kimik2.api.payments.BillingEntryView;
import net.kimik2.api.payments.BillingPage;
import net.kimik2.api.payments.FindBillingHistoryQuery;
import net.kimik2.api.payments.FindFulfilledPaymentsQuery;
import net.kimik2.api.payments.FulfilledPaymentView;
import net.kimik2.api.payments.PaymentClawedBackEvent;
import net.kimik2.api.payments.PaymentDisputeHeldEvent;
import net.kimik2.api.payments.PaymentDisputeLostEvent;
import net.kimik2.api.payments.PaymentDisputeReleasedEvent;
import net.kimik2.api.payments.PaymentFulfilledEvent;
import net.kimik2.api.payments.PaymentKind;
import net.kimik2.query.platform.Cursors;
import net.kimik2.query.platform.ViewBatch;
import net.kimik2.query.platform.ViewCollections;
import net.kimik2.shredding.privacy.FieldCipher;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.queryhandling.QueryHandler;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * The billing history: one document per purchase or subscription period, per refund step and per dispute, keyed by
 * the payment's ids; updates are guarded by the payment's event sequence, so redelivery is harmless. Card brand and
 * last 4 are stored encrypted under the payment's own key (owned by the person); amounts and dates stay after an
 * erasure or the billing records retention (accounting records), the card details then read as null.
 */
@Component
@ProcessingGroup("payments-billing-history")
class BillingHistoryProjection {

    static final String COLLECTION = "payments_billing_history";
    private static final String CURSOR = "billing";

    private final MongoTemplate mongo;
    private final FieldCipher cipher;

    BillingHistoryProjection(MongoTemplate mongo, FieldCipher cipher) {
        this.mongo = mongo;
        this.cipher = cipher;
        ensureIndex();
    }

    private void ensureIndex() {
        mongo.indexOps(COLLECTION).ensureIndex(new Index().on("userId", Sort.Direction.ASC)
                .on("order", Sort.Direction.DESC));
    }

    /** Sort key: the event's time in microseconds, the order a person reads their history in. */
    private static long order(Instant at) {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000);
    }

    @EventHandler
    void on(PaymentFulfilledEvent event, @SequenceNumber long sequence, @Timestamp Instant at) {
        String scope = "payment:" + event.paymentId();
        List<Bson> set = new ArrayList<>(List.of(
                Updates.set("userId", event.userId()),
                Updates.set("kind", event.kind() == PaymentKind.PACK ? "purchase" : "subscription_period"),
                Updates.set("amountCents", event.amountMinor()),
                Updates.set("currency", event.currency()),
                Updates.set("credits", event.credits()),
                Updates.set("status", "paid"),
                Updates.set("createdAt", Date.from(event.fulfilledAt())),
                Updates.set("order", order(at))));
        if (event.cardBrand() != null && !cipher.keys().isErased(scope)
                && !cipher.keys().isErased("user:" + event.userId())) {
            set.add(Updates.set("cardBrand", cipher.encryptString(scope, event.userId(), "cardBrand",
                    event.cardBrand())));
            set.add(Updates.set("cardLast4", cipher.encryptString(scope, event.userId(), "cardLast4",
                    event.cardLast4())));
        }
        ViewBatch.current().guardedUpdate(COLLECTION, event.paymentId(), sequence, Updates.combine(set));
    }

    @EventHandler
    void on(PaymentClawedBackEvent event, @SequenceNumber long sequence, @Timestamp Instant at) {
        ViewBatch.current().guardedUpdate(COLLECTION, event.clawbackId(), sequence, Updates.combine(
                Updates.set("userId", event.userId()), Updates.set("kind", "refund"),
                Updates.set("amountCents", event.amountMinor()), Updates.set("currency", event.currency()),
                Updates.set("credits", -event.credits()), Updates.set("status", "refunded"),
                Updates.set("createdAt", Date.from(event.clawedBackAt())), Updates.set("order", order(at))));
    }

    @EventHandler
    void on(PaymentDisputeHeldEvent event, @SequenceNumber long sequence, @Timestamp Instant at) {
        dispute(event.paymentId(), event.disputeId(), event.userId(), event.amountMinor(), event.currency(),
                -event.credits(), "open", event.heldAt(), at, sequence, true);
    }

    @EventHandler
    void on(PaymentDisputeReleasedEvent event, @SequenceNumber long sequence, @Timestamp Instant at) {
        dispute(event.paymentId(), event.disputeId(), event.userId(), event.amountMinor(), event.currency(), 0L,
                "won", event.releasedAt(), at, sequence, false);
    }

    @EventHandler
    void on(PaymentDisputeLostEvent event, @SequenceNumber long sequence, @Timestamp Instant at) {
        dispute(event.paymentId(), event.disputeId(), event.userId(), event.amountMinor(), event.currency(),
                -event.credits(), "lost", event.lostAt(), at, sequence, false);
    }

    /** One document per dispute; a closing keeps the date of the opening when the opening was seen. */
    private static void dispute(String paymentId, String disputeId, String userId, long amountMinor, String currency,
                                long credits, String status, Instant createdAt, Instant at, long sequence,
                                boolean opening) {
        Bson date = opening ? Updates.set("createdAt", Date.from(createdAt))
                : Updates.setOnInsert("createdAt", Date.from(createdAt));
        Bson order = opening ? Updates.set("order", order(at)) : Updates.setOnInsert("order", order(at));
        ViewBatch.current().guardedUpdate(COLLECTION, paymentId + ":dispute:" + disputeId, sequence,
                Updates.combine(Updates.set("userId", userId), Updates.set("kind", "dispute"),
                        Updates.set("amountCents", amountMinor), Updates.set("currency", currency),
                        Updates.set("credits", credits), Updates.set("status", status), date, order));
    }

    @ResetHandler
    void reset() {
        ViewCollections.drop(mongo, COLLECTION);
        ensureIndex();
    }

    @QueryHandler
    List<FulfilledPaymentView> handle(FindFulfilledPaymentsQuery query) {
        Criteria criteria = Criteria.where("kind").in("purchase", "subscription_period")
                .and("createdAt").gte(Date.from(query.from())).lt(Date.from(query.to()));
        return mongo.find(Query.query(criteria), Document.class, COLLECTION).stream()
                .map(d -> new FulfilledPaymentView(d.getString("_id"), d.getString("kind"),
                        d.get("amountCents", Number.class).longValue(), d.get("credits", Number.class).longValue(),
                        d.getDate("createdAt").toInstant()))
                .toList();
    }

    @QueryHandler
    BillingPage handle(FindBillingHistoryQuery query) {
        Criteria criteria = Criteria.where("userId").is(query.userId());
        if (query.page().after() != null) {
            criteria = criteria.and("order").lt(Cursors.decode(CURSOR, query.page().after()));
        }
        int first = query.page().first();
        List<Document> docs = mongo.find(Query.query(criteria).with(Sort.by(Sort.Direction.DESC, "order"))
                .limit(first + 1), Document.class, COLLECTION);
        boolean hasNext = docs.size() > first;
        List<BillingEntryView> entries = (hasNext ? docs.subList(0, first) : docs).stream()
                .map(d -> new BillingEntryView(d.getString("_id"), query.userId(), d.getString("kind"),
                        d.get("amountCents", Number.class).longValue(), d.getString("currency"),
                        d.get("credits", Number.class).longValue(), d.getString("status"),
                        d.getDate("createdAt").toInstant(),
                        cipher.decryptString("payment:" + d.getString("_id"), "cardBrand", d.getString("cardBrand"))
                                .orElse(null),
                        cipher.decryptString("payment:" + d.getString("_id"), "cardLast4", d.getString("cardLast4"))
                                .orElse(null),
                        Cursors.encode(CURSOR, d.get("order", Number.class).longValue())))
                .toList();
        String endCursor = entries.isEmpty() ? null : entries.get(entries.size() - 1).cursor();
        return new BillingPage(entries, hasNext, endCursor);
    }
}
