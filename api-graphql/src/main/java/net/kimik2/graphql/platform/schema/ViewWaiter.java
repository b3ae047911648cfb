package net.kimik2.graphql.platform.schema;

import java.time.Duration;
import java.util.Optional;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.SubscriptionQueryResult;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Read-your-writes for mutations: a subscription query answers the view as it is now and then every update the
 * projection emits, so a mutation can return as soon as its view exists instead of polling.
 */
@Component
public class ViewWaiter {

    private static final Duration POLL = Duration.ofMillis(100);

    private final QueryGateway queries;

    ViewWaiter(QueryGateway queries) {
        this.queries = queries;
    }

    public <Q, V> V await(Q query, Class<V> viewType, Duration timeout) {
        return await(query, viewType, view -> true, timeout);
    }

    /** Waits for the first state of the view that satisfies {@code ready}. */
    public <Q, V> V await(Q query, Class<V> viewType, java.util.function.Predicate<V> ready, Duration timeout) {
        SubscriptionQueryResult<Optional<V>, V> result = queries.subscriptionQuery(query,
                ResponseTypes.optionalInstanceOf(viewType), ResponseTypes.instanceOf(viewType));
        try {
            // the projection may run on another node (several nodes share the views, ADR 0025): its updates are
            // emitted there, so the view is also read again every poll interval until it is ready
            Flux<V> polled = Flux.interval(POLL, POLL)
                    .concatMap(i -> Mono.fromFuture(queries.query(query, ResponseTypes.optionalInstanceOf(viewType)))
                            .flatMap(Mono::justOrEmpty));
            return Flux.merge(Flux.concat(result.initialResult().flatMap(o -> Mono.justOrEmpty(o)), result.updates()),
                            polled)
                    .filter(ready)
                    .next()
                    .blockOptional(timeout)
                    .orElseThrow(() -> new DomainException(ErrorCode.CONFLICT, null, "the view is not up to date yet"));
        } catch (IllegalStateException timeout_) {
            throw new DomainException(ErrorCode.CONFLICT, null, "the view is not up to date yet, retry the read");
        } finally {
            result.cancel();
        }
    }
}
