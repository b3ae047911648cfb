package net.kimik2.query.audit;

import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.audit.BalanceAsOf;
import net.kimik2.api.audit.ConsistencyReport;
import net.kimik2.api.audit.ConsistencyReport.ViewDifference;
import net.kimik2.api.audit.FindBalanceAsOfQuery;
import net.kimik2.api.audit.FindConsistencyReportQuery;
import net.kimik2.api.audit.RunConsistencyCheckCommand;
import net.kimik2.api.credits.CreditLedgerId;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.platform.MetadataKeys;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.annotation.MetaDataValue;
import org.axonframework.queryhandling.QueryHandler;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.stereotype.Component;

/**
 * Audits the views against the log (issue 12): recomputes every balance from the event stream and lists the balance
 * view documents that differ. Runs on demand and every {@code kimi.audit.consistency-check.interval}. The log is
 * read up to the position the balance view reports; a difference seen there is checked once more against a fresh
 * position, so a view merely catching up is not reported.
 */
@Component
class ConsistencyCheck {

    static final String BALANCE_VIEW = "credits_balance";
    private static final Logger log = LoggerFactory.getLogger(ConsistencyCheck.class);

    private final EventStore eventStore;
    private final MongoTemplate mongo;
    private final ViewReplay replay;
    private final Clock clock = Clock.systemUTC();
    private final AtomicReference<ConsistencyReport> latest = new AtomicReference<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "consistency-check");
        t.setDaemon(true);
        return t;
    });

    ConsistencyCheck(EventStore eventStore, MongoTemplate mongo, ViewReplay replay,
                     @Value("${kimi.audit.consistency-check.interval:PT6H}") Duration interval) {
        this.eventStore = eventStore;
        this.mongo = mongo;
        this.replay = replay;
        if (!interval.isZero()) {
            scheduler.scheduleWithFixedDelay(this::scheduled, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    @PreDestroy
    void stop() {
        scheduler.shutdownNow();
    }

    private void scheduled() {
        try {
            ConsistencyReport report = run();
            log.info("consistency check: {} balances, {} differences", report.balancesChecked(),
                    report.differences().size());
        } catch (RuntimeException e) {
            log.warn("scheduled consistency check failed", e);
        }
    }

    @CommandHandler
    ConsistencyReport handle(RunConsistencyCheckCommand command,
                             @MetaDataValue(MetadataKeys.ACTOR_ROLE) String actorRole) {
        if (!Role.ADMIN.name().equals(actorRole)) {
            throw new DomainException(ErrorCode.FORBIDDEN, null, "only an admin runs the consistency check");
        }
        return run();
    }

    @QueryHandler
    Optional<ConsistencyReport> handle(FindConsistencyReportQuery query) {
        return Optional.ofNullable(latest.get());
    }

    synchronized ConsistencyReport run() {
        ConsistencyReport first = check();
        ConsistencyReport report = first;
        if (!first.differences().isEmpty()) {
            // a view still catching up differs for a moment; a corrupted one differs again
            ConsistencyReport second = check();
            Set<String> again = new HashSet<>();
            second.differences().forEach(d -> again.add(d.documentId() + "/" + d.field()));
            report = new ConsistencyReport(second.checkedAt(), second.logPosition(), second.eventsRead(),
                    second.balancesChecked(), first.durationMillis() + second.durationMillis(),
                    first.differences().stream().filter(d -> again.contains(d.documentId() + "/" + d.field())).toList());
        }
        latest.set(report);
        return report;
    }

    private ConsistencyReport check() {
        long started = System.nanoTime();
        Instant checkedAt = clock.instant();
        Long upTo = replay.position("credits-balance");
        Map<String, BalanceFold> folds = new HashMap<>();
        long read = 0;
        if (upTo != null) {
            try (BlockingStream<TrackedEventMessage<?>> stream = eventStore.openStream(null)) {
                while (stream.hasNextAvailable()) {
                    TrackedEventMessage<?> event = stream.nextAvailable();
                    long position = event.trackingToken().position().orElse(Long.MAX_VALUE);
                    if (position > upTo) {
                        break;
                    }
                    read++;
                    String userId = BalanceFold.userIdOf(event.getPayload());
                    if (userId != null) {
                        folds.computeIfAbsent(userId, k -> new BalanceFold()).apply(event.getPayload());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("consistency check interrupted", e);
            }
        }
        Map<String, Document> views = new HashMap<>();
        mongo.getCollection(BALANCE_VIEW).find().forEach(d -> views.put(String.valueOf(d.get("_id")), d));
        List<ViewDifference> differences = new ArrayList<>();
        Set<String> ids = new HashSet<>(folds.keySet());
        ids.addAll(views.keySet());
        for (String userId : ids.stream().sorted().toList()) {
            BalanceFold fold = folds.get(userId);
            Document view = views.get(userId);
            compare(differences, userId, "available", fold == null ? null : fold.available, number(view, "available"));
            compare(differences, userId, "held", fold == null ? null : fold.held, number(view, "held"));
        }
        return new ConsistencyReport(checkedAt, upTo == null ? -1 : upTo, read, ids.size(),
                (System.nanoTime() - started) / 1_000_000, differences);
    }

    /** A missing document or field counts as 0: an opened ledger with nothing in it needs no document. */
    private static void compare(List<ViewDifference> out, String userId, String field, Long expected, Long actual) {
        if ((expected == null ? 0 : expected) != (actual == null ? 0 : actual)) {
            out.add(new ViewDifference("credits-balance", userId, field, expected, actual));
        }
    }

    private static Long number(Document doc, String field) {
        if (doc == null) {
            return null;
        }
        Object value = doc.get(field);
        return value instanceof Number n ? n.longValue() : null;
    }

    /** The ledger of one person until {@code at}, from the log (no view involved). */
    @QueryHandler
    BalanceAsOf handle(FindBalanceAsOfQuery query) {
        BalanceFold fold = new BalanceFold();
        List<BalanceAsOf.Entry> entries = new ArrayList<>();
        DomainEventStream stream = eventStore.readEvents(CreditLedgerId.forUser(query.userId()));
        while (stream.hasNext()) {
            DomainEventMessage<?> event = stream.next();
            if (event.getTimestamp().isAfter(query.at())) {
                break;
            }
            Long amount = fold.apply(event.getPayload());
            if (amount != null) {
                entries.add(new BalanceAsOf.Entry(event.getSequenceNumber(),
                        AuditTrailReader.typeName(event.getPayloadType()), amount, event.getTimestamp()));
            }
        }
        return new BalanceAsOf(query.userId(), query.at(), fold.available, fold.held, fold.spent, entries);
    }
}
