package net.kimik2.query.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import net.kimik2.api.audit.FindViewProcessorsQuery;
import net.kimik2.api.audit.ViewProcessorStatus;
import net.kimik2.api.conversations.AnswerRecordedEvent;
import net.kimik2.api.conversations.PromptFailedEvent;
import net.kimik2.api.privacy.ErasureCompletedEvent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.bson.Document;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.stereotype.Component;

/**
 * The operators' metrics of issue 12 on /actuator/prometheus (ADMIN only): view processor lag and replay progress,
 * prompt outcomes, erasure durations and open credit holds. Counters come from this node's live events (a subscribing
 * processor, so a replay never counts twice); gauges are read when scraped.
 */
@Component
@ProcessingGroup("audit-metrics")
class AuditMetrics {

    private final MeterRegistry meters;
    private final Timer erasures;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final ViewReplay replay;
    private final MongoTemplate mongo;
    /** One status read serves all gauges of a scrape. */
    private volatile Map<String, ViewProcessorStatus> statuses = Map.of();
    private volatile long readAt;

    AuditMetrics(MeterRegistry meters, ViewReplay replay, MongoTemplate mongo,
                 @Value("${kimi.processing.view-processors:}") List<String> viewProcessors) {
        this.meters = meters;
        this.replay = replay;
        this.mongo = mongo;
        this.erasures = Timer.builder("kimi.erasure.duration").description("from an erasure request to its certificate")
                .publishPercentileHistogram().register(meters);
        for (String name : viewProcessors) {
            gauge("kimi.view.lag.events", "events a view has not handled yet", name,
                    s -> s.lagEvents() == null ? Double.NaN : s.lagEvents());
            gauge("kimi.view.lag.seconds", "age of the oldest event a view has not handled yet", name,
                    s -> s.lagSeconds() == null ? Double.NaN : s.lagSeconds());
            gauge("kimi.view.replay.progress", "share of the latest replay done (1 when switched in)", name,
                    s -> s.replay() == null ? Double.NaN : s.replay().percent() / 100.0);
        }
        Gauge.builder("kimi.credits.held", this, m -> m.held("held")).description("credits held by open prompt holds")
                .register(meters);
        Gauge.builder("kimi.credits.holders", this, m -> m.held(null))
                .description("people with at least one open credit hold").register(meters);
    }

    private void gauge(String metric, String description, String processor, ToDoubleFunction<ViewProcessorStatus> value) {
        Gauge.builder(metric, this, m -> {
            ViewProcessorStatus s = m.status(processor);
            return s == null ? Double.NaN : value.applyAsDouble(s);
        }).description(description).tag("processor", processor).register(meters);
    }

    private ViewProcessorStatus status(String processor) {
        if (System.currentTimeMillis() - readAt > 500) {
            Map<String, ViewProcessorStatus> fresh = new ConcurrentHashMap<>();
            replay.handle(new FindViewProcessorsQuery()).processors().forEach(s -> fresh.put(s.name(), s));
            statuses = fresh;
            readAt = System.currentTimeMillis();
        }
        return statuses.get(processor);
    }

    /** The sum of a field over balances with something held, or their count when {@code field} is null. */
    private double held(String field) {
        var filter = new Document("held", new Document("$gt", 0));
        if (field == null) {
            return mongo.getCollection(ConsistencyCheck.BALANCE_VIEW).countDocuments(filter);
        }
        double sum = 0;
        for (Document d : mongo.getCollection(ConsistencyCheck.BALANCE_VIEW).find(filter)
                .projection(new Document(field, 1))) {
            sum += d.get(field) instanceof Number n ? n.doubleValue() : 0;
        }
        return sum;
    }

    private void outcome(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> Counter.builder("kimi.prompts.outcome").tag("outcome", o)
                .description("prompts ended, by outcome").register(meters)).increment();
    }

    @EventHandler
    void on(AnswerRecordedEvent event) {
        outcome("answered");
    }

    @EventHandler
    void on(PromptFailedEvent event) {
        outcome(event.failureCode() == null ? "failed" : event.failureCode().name().toLowerCase());
    }

    @EventHandler
    void on(ErasureCompletedEvent event) {
        var c = event.certificate();
        erasures.record(Duration.between(c.requestedAt(), c.completedAt()));
    }
}
