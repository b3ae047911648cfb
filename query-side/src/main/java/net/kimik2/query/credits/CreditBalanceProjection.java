package net.kimik2.query.credits;

import com.mongodb.client.model.Updates;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.kimik2.api.credits.CreditBalanceView;
import net.kimik2.api.credits.CreditBalances;
import net.kimik2.api.credits.CreditLedgerOpenedEvent;
import net.kimik2.api.credits.CreditsCapturedEvent;
import net.kimik2.api.credits.CreditsClawedBackEvent;
import net.kimik2.api.credits.CreditsGrantedEvent;
import net.kimik2.api.credits.CreditsHeldEvent;
import net.kimik2.api.credits.CreditsReleasedEvent;
import net.kimik2.api.credits.FindCreditBalanceQuery;
import net.kimik2.api.credits.FindCreditBalancesQuery;
import net.kimik2.query.platform.ViewBatch;
import net.kimik2.query.platform.ViewCollections;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.kimik2.axon.platform.ReadCache;
import org.axonframework.config.ProcessingGroup;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.bson.Document;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * Each user's balance, keyed by user id. Changes are increments guarded by the ledger's event sequence number,
 * so a redelivered event is not counted twice.
 */
@Component
@ProcessingGroup("credits-balance")
class CreditBalanceProjection {

    static final String COLLECTION = "credits_balance";

    private final MongoTemplate mongo;
    private final QueryUpdateEmitter emitter;
    /** `me { credits }` reads a balance on every request: served from memory, dropped when a batch changes it. */
    private final ReadCache<String, CreditBalanceView> balances;

    @Autowired
    CreditBalanceProjection(MongoTemplate mongo, QueryUpdateEmitter emitter, ObjectProvider<MeterRegistry> meters,
                            @Value("${kimi.cache.balances.size:100000}") long size,
                            @Value("${kimi.cache.balances.ttl:PT60S}") Duration ttl) {
        this(mongo, emitter, new ReadCache<>("balances", size, ttl, meters.getIfAvailable()));
    }

    CreditBalanceProjection(MongoTemplate mongo, QueryUpdateEmitter emitter,
                            ReadCache<String, CreditBalanceView> balances) {
        this.mongo = mongo;
        this.emitter = emitter;
        this.balances = balances;
    }

    @EventHandler
    void on(CreditLedgerOpenedEvent event, @SequenceNumber long sequence) {
        change(event.userId(), sequence, Updates.combine(Updates.inc("available", 0L), Updates.inc("held", 0L),
                Updates.inc("debt", 0L)));
    }

    @EventHandler
    void on(CreditsGrantedEvent event, @SequenceNumber long sequence) {
        change(event.userId(), sequence, Updates.inc("available", event.amount()));
    }

    // available = granted - spent - held, kept as increments; debt is what was spent beyond the grants
    @EventHandler
    void on(CreditsHeldEvent event, @SequenceNumber long sequence) {
        change(event.userId(), sequence, Updates.combine(Updates.inc("available", -event.amount()),
                Updates.inc("held", event.amount())));
    }

    @EventHandler
    void on(CreditsReleasedEvent event, @SequenceNumber long sequence) {
        change(event.userId(), sequence, Updates.combine(Updates.inc("available", event.amount()),
                Updates.inc("held", -event.amount())));
    }

    /** A refund's or lost dispute's claw-back: what the bucket no longer had is debt, derived as for captures. */
    @EventHandler
    void on(CreditsClawedBackEvent event, @SequenceNumber long sequence) {
        change(event.userId(), sequence, Updates.inc("available", -event.amount()));
    }

    @EventHandler
    void on(CreditsCapturedEvent event, @SequenceNumber long sequence) {
        change(event.userId(), sequence, Updates.combine(Updates.inc("available", -event.amount()),
                Updates.inc("spent", event.amount())));
    }

    private void change(String userId, long sequence, org.bson.conversions.Bson update) {
        ViewBatch batch = ViewBatch.current();
        batch.guardedUpdate(COLLECTION, userId, sequence, update);
        // the users whose balance changed in this batch; their new balances are announced once it is written
        batch.<Set<String>>resource(COLLECTION, () -> {
            Set<String> touched = new LinkedHashSet<>();
            batch.afterFlush(COLLECTION, () -> announce(touched));
            return touched;
        }).add(userId);
    }

    private void announce(Collection<String> userIds) {
        balances.invalidateAll(userIds);
        if (emitter.activeSubscriptions().stream()
                .noneMatch(s -> s.getPayload() instanceof FindCreditBalanceQuery)) {
            return;
        }
        for (CreditBalanceView view : find(userIds)) {
            emitter.emit(FindCreditBalanceQuery.class, q -> q.userId().equals(view.userId()), view);
        }
    }

    /**
     * Available may go below zero only by a debt: captures charge the actual cost even beyond the balance. The debt is
     * then the negative part of what is neither held nor available (granted - spent), never clamped away.
     */
    private static CreditBalanceView view(Document d) {
        long available = d.getLong("available");
        long held = d.getLong("held");
        long debt = Math.max(0, -(available + held));
        return new CreditBalanceView(d.getString("_id"), available, held, debt);
    }

    @ResetHandler
    void reset() {
        ViewCollections.drop(mongo, COLLECTION);
        balances.invalidateAll();
    }

    @QueryHandler
    Optional<CreditBalanceView> handle(FindCreditBalanceQuery query) {
        return balances.get(query.userId(), id -> find(List.of(id)).stream().findFirst());
    }

    @QueryHandler
    CreditBalances handle(FindCreditBalancesQuery query) {
        Map<String, CreditBalanceView> found = balances.getAll(query.userIds(), ids -> find(ids).stream()
                .collect(Collectors.toMap(CreditBalanceView::userId, Function.identity())));
        return new CreditBalances(List.copyOf(found.values()));
    }

    private List<CreditBalanceView> find(Collection<String> userIds) {
        return mongo.find(Query.query(Criteria.where("_id").in(userIds)), Document.class, COLLECTION).stream()
                .map(CreditBalanceProjection::view)
                .toList();
    }
}
