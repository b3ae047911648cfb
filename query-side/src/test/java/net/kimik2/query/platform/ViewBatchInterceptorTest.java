package net.kimik2.query.platform;

import static net.kimik2.query.platform.ProjectionHarness.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.Updates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.messaging.DefaultInterceptorChain;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Query;

class ViewBatchInterceptorTest {

    record Put(String id) {
    }

    record Poison() {
    }

    record Add(String id, long amount) {
    }

    record Announce(String id) {
    }

    record Remove(String id) {
    }

    /** A minimal projection using the ViewBatch API the way the real ones do. */
    static final class Probe {
        final MongoTemplate mongo;
        final List<Long> documentsSeenWhileHandling = new ArrayList<>();
        final List<Long> documentsSeenAfterFlush = new ArrayList<>();

        Probe(MongoTemplate mongo) {
            this.mongo = mongo;
        }

        @EventHandler
        void on(Put event) {
            ViewBatch.current().replace("probe", event.id(), new Document("_id", event.id()));
            documentsSeenWhileHandling.add(mongo.getCollection("probe").countDocuments());
        }

        @EventHandler
        void on(Poison event) {
            throw new IllegalStateException("poison");
        }

        @EventHandler
        void on(Add event, @SequenceNumber long sequence) {
            ViewBatch.current().guardedUpdate("counter", event.id(), sequence, Updates.inc("n", event.amount()));
        }

        @EventHandler
        void on(Remove event) {
            ViewBatch.current().deleteMany("counter", com.mongodb.client.model.Filters.eq("_id", event.id()));
        }

        @EventHandler
        void on(Announce event) {
            ViewBatch batch = ViewBatch.current();
            batch.replace("probe", event.id(), new Document("_id", event.id()));
            batch.afterFlush("announce", () -> documentsSeenAfterFlush.add(mongo.getCollection("probe").countDocuments()));
        }
    }

    private Probe probe;
    private final ProjectionHarness harness = new ProjectionHarness((mongo, emitter) -> {
        probe = new Probe(mongo);
        return List.of(probe);
    });

    @AfterEach
    void tearDown() {
        harness.close();
    }

    private static EventMessage<?> put(String id) {
        return GenericEventMessage.asEventMessage(new Put(id));
    }

    private static EventMessage<?> add(String id, long sequence, long amount) {
        return event(id, sequence, new Add(id, amount), Instant.now());
    }

    private long counter(String id) {
        Document doc = harness.mongo.findById(id, Document.class, "counter");
        assertThat(doc).as("counter %s", id).isNotNull();
        return doc.getLong("n");
    }

    @Test
    void batchIsWrittenOnceAfterItsLastEvent() {
        harness.deliver(put("a"), put("b"), put("c"));

        assertThat(probe.documentsSeenWhileHandling).containsExactly(0L, 0L, 0L);
        assertThat(harness.mongo.count(new Query(), "probe")).isEqualTo(3);
    }

    @Test
    void failingBatchWritesNothingAndLeavesNoStateForTheNextBatch() {
        assertThatThrownBy(() -> harness.deliver(put("a"), new GenericEventMessage<>(new Poison())))
                .isInstanceOf(IllegalStateException.class).hasMessage("poison");
        assertThat(harness.mongo.count(new Query(), "probe")).isZero();

        harness.deliver(put("b"));
        assertThat(harness.mongo.findAll(Document.class, "probe")).extracting(d -> d.get("_id")).containsExactly("b");
    }

    @Test
    void guardedUpdateAppliesEachSequenceNumberOnce() {
        harness.deliver(add("x", 0, 1), add("x", 1, 2));
        // redelivery overlapping the previous batch, as after a crash before the token was stored
        harness.deliver(add("x", 1, 2), add("x", 2, 4));
        harness.deliver(add("x", 0, 1), add("x", 1, 2), add("x", 2, 4));

        assertThat(counter("x")).isEqualTo(7);
        assertThat(harness.mongo.findById("x", Document.class, "counter").getLong("seq")).isEqualTo(2);
    }

    @Test
    void alreadyAppliedUpdatesInsideABatchDoNotStopTheRestOfIt() {
        harness.deliver(add("a", 0, 1), add("b", 0, 10), add("b", 1, 20));

        harness.deliver(add("a", 1, 2), add("b", 1, 20), add("a", 2, 4), add("b", 0, 10), add("b", 2, 40));

        assertThat(counter("a")).isEqualTo(7);
        assertThat(counter("b")).isEqualTo(70);
    }

    @Test
    void guardedUpdatesAfterADeleteInTheSameBatchStillApplyOnce() {
        harness.deliver(add("x", 0, 1), add("y", 0, 1));

        harness.deliver(add("x", 1, 2), event("x", 2, new Remove("x"), Instant.now()), add("x", 3, 4), add("y", 0, 1),
                add("y", 1, 8));
        // the same batch again, as after a crash before the token was stored
        harness.deliver(add("x", 1, 2), event("x", 2, new Remove("x"), Instant.now()), add("x", 3, 4), add("y", 0, 1),
                add("y", 1, 8));

        assertThat(counter("x")).isEqualTo(4);
        assertThat(harness.mongo.findById("x", Document.class, "counter").getLong("seq")).isEqualTo(3);
        assertThat(counter("y")).isEqualTo(9);
    }

    @Test
    void afterFlushActionsRunOncePerKeyAfterTheWrite() {
        harness.deliver(GenericEventMessage.asEventMessage(new Announce("a")),
                GenericEventMessage.asEventMessage(new Announce("b")));

        assertThat(probe.documentsSeenAfterFlush).containsExactly(2L);
    }

    @Test
    void outsideABatchEveryMessageIsFlushedAtOnce() throws Exception {
        EventMessage<?> message = put("solo");
        DefaultUnitOfWork<EventMessage<?>> uow = DefaultUnitOfWork.startAndGet(message);
        try {
            new DefaultInterceptorChain<>(uow, List.of(new ViewBatchInterceptor(harness.mongo)), m -> {
                probe.on(new Put("solo"));
                return null;
            }).proceed();
        } finally {
            uow.commit();
        }
        assertThat(harness.mongo.count(new Query(), "probe")).isEqualTo(1);
    }
}
