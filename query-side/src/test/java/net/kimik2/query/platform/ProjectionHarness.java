package net.kimik2.query.platform;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.ListenerInvocationErrorHandler;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.SimpleEventBus;
import org.axonframework.eventhandling.SimpleEventHandlerInvoker;
import org.axonframework.eventhandling.SubscribingEventProcessor;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.responsetypes.ResponseType;
import org.axonframework.queryhandling.DefaultQueryGateway;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.axonframework.queryhandling.SimpleQueryBus;
import org.axonframework.queryhandling.SimpleQueryUpdateEmitter;
import org.axonframework.queryhandling.annotation.AnnotationQueryHandlerAdapter;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Runs projections the way the application does, minus the streaming source: a real MongoDB-protocol server
 * (mongo-java-server, in-memory backend) behind a real driver and MongoTemplate, and an Axon event processor whose
 * handler interceptor is the production {@link ViewBatchInterceptor}. Events published together form one batch
 * ({@code BatchingUnitOfWork}), so the flush happens at the batch's last message exactly as in a pooled processor.
 */
public final class ProjectionHarness implements AutoCloseable {

    private final MongoServer server;
    private final MongoClient client;
    public final MongoTemplate mongo;
    public final QueryUpdateEmitter emitter = SimpleQueryUpdateEmitter.builder().build();
    public final QueryGateway queries;
    private final SimpleEventBus bus = SimpleEventBus.builder().build();
    private final SimpleEventHandlerInvoker invoker;
    private final SubscribingEventProcessor processor;

    /** {@code handlers} builds the projection(s) under test from the template and emitter. */
    public ProjectionHarness(BiFunction<MongoTemplate, QueryUpdateEmitter, List<Object>> handlers) {
        // failures propagate (and roll the batch back), as axon-config's MessagingConfiguration sets for all processors
        this(handlers, PropagatingErrorHandler.instance());
    }

    public ProjectionHarness(BiFunction<MongoTemplate, QueryUpdateEmitter, List<Object>> handlers,
                             ListenerInvocationErrorHandler errorHandler) {
        server = new MongoServer(new MemoryBackend());
        server.bind("127.0.0.1", 0);
        InetSocketAddress address = server.getLocalAddress();
        client = MongoClients.create("mongodb://127.0.0.1:" + address.getPort());
        mongo = new MongoTemplate(client, "views");
        List<Object> projections = handlers.apply(mongo, emitter);
        invoker = SimpleEventHandlerInvoker.builder().eventHandlers(projections)
                .listenerInvocationErrorHandler(errorHandler).build();
        processor = SubscribingEventProcessor.builder()
                .name("test-views")
                .eventHandlerInvoker(invoker)
                .messageSource(bus)
                .build();
        processor.registerHandlerInterceptor(new ViewBatchInterceptor(mongo));
        processor.start();
        SimpleQueryBus queryBus = SimpleQueryBus.builder().queryUpdateEmitter(emitter).build();
        projections.forEach(p -> new AnnotationQueryHandlerAdapter<>(p).subscribe(queryBus));
        queries = DefaultQueryGateway.builder().queryBus(queryBus).build();
    }

    /** Delivers the events as one processor batch. */
    public void deliver(EventMessage<?>... batch) {
        bus.publish(List.of(batch));
    }

    /** What a processor reset does before a replay: calls every {@code @ResetHandler}. */
    public void reset() {
        invoker.performReset();
    }

    public <R> R query(Object query, ResponseType<R> type) {
        return queries.query(query, type).join();
    }

    public static DomainEventMessage<?> event(String aggregateId, long sequence, Object payload, Instant timestamp) {
        return new GenericDomainEventMessage<>("Aggregate", aggregateId, sequence, payload, MetaData.emptyInstance(),
                aggregateId + "#" + sequence, timestamp);
    }

    @Override
    public void close() {
        processor.shutDown();
        client.close();
        server.shutdownNow();
    }
}
