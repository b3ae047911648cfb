package net.kimik2.axon.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.config.Configurer;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.bson.Document;
import org.bson.types.Binary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A view processor's token must never be stored ahead of the views of its batch: MongoDB takes part in no
 * transaction, so a token stored early survives a crash (or a failed batch) that the views it covers did not.
 * The processors run here as in the application: tracking, with a (JDBC-like) transaction manager configured.
 */
class ViewTokenStoreConfigurationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MongoServer server;
    private MongoClient client;
    private Configuration axon;
    private final Views views = new Views();

    @BeforeEach
    void start() {
        server = new MongoServer(new MemoryBackend());
        var address = server.bind();
        client = MongoClients.create("mongodb://127.0.0.1:" + address.getPort());
        Serializer serializer = JacksonSerializer.defaultSerializer();
        // any transaction manager but NoTransactionManager, as Spring's is in the application
        TransactionManager jdbcLike = () -> new Transaction() {
            @Override
            public void commit() {
            }

            @Override
            public void rollback() {
            }
        };
        Configurer configurer = DefaultConfigurer.defaultConfiguration()
                .configureEmbeddedEventStore(c -> new InMemoryEventStorageEngine())
                .configureSerializer(c -> serializer)
                .configureTransactionManager(c -> jdbcLike);
        configurer.eventProcessing()
                .registerTrackingEventProcessor("views")
                .registerEventHandler(c -> views)
                .registerDefaultListenerInvocationErrorHandler(c -> PropagatingErrorHandler.instance());
        new ViewTokenStoreConfiguration().viewTokenStores(client, "test", List.of("views"), serializer,
                        new NodeIdentity("test-node"))
                .configureModule(configurer);
        axon = configurer.start();
    }

    @AfterEach
    void stop() {
        axon.shutdown();
        client.close();
        server.shutdownNow();
    }

    @Test
    void theTokenIsStoredOnlyAfterTheBatchWasHandled() throws Exception {
        publish("first");
        publish("second");
        awaitSeen(2);

        // while an event was handled, the stored token did not yet cover it
        assertThat(views.storedWhileHandling).containsExactly(-1L, 0L);
        awaitStoredToken(1);
    }

    @Test
    void aBatchThatFailedIsHandledAgainNotSkipped() throws Exception {
        views.failuresLeft.set(1);
        publish("fails once");
        awaitSeen(1);
        assertThat(views.seen).containsExactly("fails once");
    }

    private void publish(String payload) {
        axon.eventBus().publish(GenericEventMessage.asEventMessage(payload));
    }

    private void awaitSeen(int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000; // the processor retries a failed batch after 1 s
        while (views.seen.size() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(views.seen).as("handled events").hasSize(count);
    }

    private void awaitStoredToken(long index) throws Exception {
        long deadline = System.currentTimeMillis() + 5_000;
        while (storedIndex() < index && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(storedIndex()).isEqualTo(index);
    }

    /** The global index in the stored token of segment 0, or -1 without one. */
    private long storedIndex() throws Exception {
        Document row = client.getDatabase("test").getCollection("view_tokens")
                .find(Filters.and(Filters.eq("processorName", "views"), Filters.eq("segment", 0))).first();
        if (row == null || row.get("token") == null) {
            return -1;
        }
        return JSON.readTree(row.get("token", Binary.class).getData()).path("globalIndex").asLong(-1);
    }

    @ProcessingGroup("views")
    final class Views {

        final List<String> seen = new CopyOnWriteArrayList<>();
        final List<Long> storedWhileHandling = new CopyOnWriteArrayList<>();
        final AtomicInteger failuresLeft = new AtomicInteger();

        @EventHandler
        void on(String event) throws Exception {
            storedWhileHandling.add(storedIndex());
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("the view store is unavailable");
            }
            seen.add(event);
        }
    }
}
