package net.kimik2.app.platform;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.bson.Document;
import org.bson.types.Binary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * The service is not ready (health {@code views}: OUT_OF_SERVICE) until every view has caught up with the event
 * log as it was when the service started; from then on it stays UP.
 *
 * <p>Why: the view store may lose its newest writes in a crash (the embedded one commits its file about once a
 * second; views and their tokens go together, so nothing is lost for good). The views then rebuild that suffix
 * after the restart, and until they have, a read answers from the older state: a user acknowledged with 500,000
 * signup credits before a hard kill saw 0 credits right after the restart (DurabilityIT, found in CI). A load
 * balancer or the test harness waits on this instead.
 *
 * <p>The positions are read from the view token store (shared by all nodes), not from this node's processors: a
 * node that owns no segment of a view is ready once the node that owns them has caught up.
 */
@Component("views")
class ViewsCaughtUpHealth implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(ViewsCaughtUpHealth.class);

    private final MongoTemplate mongo;
    private final Serializer serializer;
    private final List<String> viewProcessors;
    private final EventStore eventStore;
    private final long startedAt = System.nanoTime();
    /**
     * The last event position at the first check (start-up: the harness and load balancers poll from the start;
     * taken lazily so that building the context never calls a remote event store); empty for an empty log.
     */
    private volatile OptionalLong headAtStart;
    private final AtomicBoolean caughtUp = new AtomicBoolean();

    ViewsCaughtUpHealth(MongoTemplate mongo, @Qualifier("serializer") Serializer serializer, EventStore eventStore,
                        @Value("${kimi.processing.view-processors:}") List<String> viewProcessors) {
        this.mongo = mongo;
        this.serializer = serializer;
        this.viewProcessors = viewProcessors;
        this.eventStore = eventStore;
    }

    @Override
    public Health health() {
        if (caughtUp.get()) {
            return Health.up().build();
        }
        String behind;
        try {
            if (headAtStart == null) {
                TrackingToken head = eventStore.createHeadToken();
                headAtStart = head == null ? OptionalLong.empty() : head.position();
            }
            behind = firstBehind(headAtStart);
        } catch (RuntimeException e) {
            return Health.outOfService().withDetail("error", e.getClass().getSimpleName()).build();
        }
        if (behind != null) {
            return Health.outOfService().withDetail("catchingUp", behind).build();
        }
        if (caughtUp.compareAndSet(false, true)) {
            log.info("views caught up with the event log at start (position {}) {} ms after start",
                    headAtStart.isPresent() ? headAtStart.getAsLong() : "none",
                    Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
        }
        return Health.up().build();
    }

    /** The first view processor whose tokens do not all reach the head at start, or {@code null} when none. */
    private String firstBehind(OptionalLong head) {
        if (head.isEmpty()) {
            return null;
        }
        for (String processor : viewProcessors) {
            List<Document> segments = mongo.find(Query.query(Criteria.where("processorName").is(processor)),
                    Document.class, "view_tokens");
            if (segments.isEmpty() || !segments.stream().allMatch(s -> reaches(s, head.getAsLong()))) {
                return processor;
            }
        }
        return null;
    }

    private boolean reaches(Document segment, long head) {
        String type = segment.getString("tokenType");
        Object data = segment.get("token");
        byte[] bytes = data instanceof Binary binary ? binary.getData()
                : data instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : null;
        if (type == null || bytes == null) {
            return false; // no event handled yet
        }
        TrackingToken token = serializer.deserialize(new SimpleSerializedObject<>(bytes, byte[].class, type, null));
        OptionalLong position = token == null ? OptionalLong.empty() : token.position();
        return position.isPresent() && position.getAsLong() >= head;
    }
}
