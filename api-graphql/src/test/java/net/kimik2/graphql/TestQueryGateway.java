package net.kimik2.graphql;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.axonframework.common.Registration;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.axonframework.messaging.responsetypes.ResponseType;
import org.axonframework.queryhandling.DefaultSubscriptionQueryResult;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.QueryMessage;
import org.axonframework.queryhandling.SubscriptionQueryBackpressure;
import org.axonframework.queryhandling.SubscriptionQueryResult;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Axon's {@link QueryGateway}, the module's way in to the views, answered by a handler per query type. Point-to-point
 * queries get what the handler returns (an {@code Optional} for optional response types); subscription queries get
 * the initial result of their handler, then the updates given with {@link #onSubscription}. Records every query.
 */
public class TestQueryGateway implements QueryGateway {

    private final Map<Class<?>, Function<Object, Object>> handlers = new HashMap<>();
    private final Map<Class<?>, Function<Object, SubscriptionQueryResult<?, ?>>> subscriptions = new HashMap<>();
    private final List<Object> asked = new ArrayList<>();

    /** Answers queries of {@code type} with {@code handler}; it may throw as a query handler would. */
    public synchronized <Q> void on(Class<Q> type, Function<Q, ?> handler) {
        handlers.put(type, query -> handler.apply(type.cast(query)));
    }

    /** Answers subscription queries of {@code type}: {@code initial} now, then {@code updates}. */
    public synchronized <Q> void onSubscription(Class<Q> type, Function<Q, ?> initial, Flux<?> updates,
                                                Runnable onCancel) {
        subscriptions.put(type, query -> new DefaultSubscriptionQueryResult<>(
                Mono.fromSupplier(() -> initial.apply(type.cast(query))), updates, () -> {
            onCancel.run();
            return true;
        }));
    }

    /**
     * A view that is already there: what {@code ViewWaiter} waits for (its subscription, and the point query it polls
     * while waiting, unless the test answers that query itself).
     */
    public synchronized <Q> void onView(Class<Q> type, Function<Q, ?> view) {
        onSubscription(type, query -> java.util.Optional.ofNullable(view.apply(query)), Flux.empty(), () -> {
        });
        handlers.putIfAbsent(type, query -> java.util.Optional.ofNullable(view.apply(type.cast(query))));
    }

    public synchronized List<Object> asked() {
        return List.copyOf(asked);
    }

    /** The one query of {@code type} that was asked. */
    public synchronized <Q> Q askedOne(Class<Q> type) {
        List<Q> found = asked.stream().filter(type::isInstance).map(type::cast).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", asked: " + asked);
        }
        return found.get(0);
    }

    public synchronized void reset() {
        handlers.clear();
        subscriptions.clear();
        asked.clear();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R, Q> CompletableFuture<R> query(String queryName, Q query, ResponseType<R> responseType) {
        Function<Object, Object> handler;
        synchronized (this) {
            asked.add(query);
            handler = handlers.get(query.getClass());
        }
        if (handler == null) {
            throw new AssertionError("no handler in this test for " + query.getClass().getSimpleName());
        }
        try {
            return CompletableFuture.completedFuture((R) handler.apply(query));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <Q, I, U> SubscriptionQueryResult<I, U> subscriptionQuery(String queryName, Q query,
                                                                     ResponseType<I> initialResponseType,
                                                                     ResponseType<U> updateResponseType,
                                                                     int updateBufferSize) {
        Function<Object, SubscriptionQueryResult<?, ?>> handler;
        synchronized (this) {
            asked.add(query);
            handler = subscriptions.get(query.getClass());
        }
        if (handler == null) {
            throw new AssertionError("no subscription handler in this test for " + query.getClass().getSimpleName());
        }
        return (SubscriptionQueryResult<I, U>) handler.apply(query);
    }

    @Override
    public <Q, I, U> SubscriptionQueryResult<I, U> subscriptionQuery(String queryName, Q query,
                                                                     ResponseType<I> initialResponseType,
                                                                     ResponseType<U> updateResponseType,
                                                                     SubscriptionQueryBackpressure backpressure,
                                                                     int updateBufferSize) {
        return subscriptionQuery(queryName, query, initialResponseType, updateResponseType, updateBufferSize);
    }

    @Override
    public <R, Q> Publisher<R> streamingQuery(String queryName, Q query, Class<R> responseType) {
        throw new UnsupportedOperationException("the controllers do not stream queries");
    }

    @Override
    public <R, Q> Stream<R> scatterGather(String queryName, Q query, ResponseType<R> responseType, long timeout,
                                          TimeUnit timeUnit) {
        throw new UnsupportedOperationException("the controllers do not scatter-gather");
    }

    @Override
    public Registration registerDispatchInterceptor(
            MessageDispatchInterceptor<? super QueryMessage<?, ?>> dispatchInterceptor) {
        throw new UnsupportedOperationException();
    }
}
