package net.kimik2.graphql.platform.schema;

import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.graphql.execution.SubscriptionExceptionResolverAdapter;
import org.springframework.stereotype.Component;

/**
 * Errors of a subscription's stream (after it started), which the data-fetcher handler never sees: domain failures
 * keep their code, anything else is logged with an error id and answered with only that id.
 */
@Component
class SubscriptionErrorHandler extends SubscriptionExceptionResolverAdapter {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionErrorHandler.class);

    @Override
    protected GraphQLError resolveToSingleError(Throwable ex) {
        return DomainErrors.of(ex)
                .map(error -> GraphqlErrorBuilder.newError()
                        .errorType(ErrorType.BAD_REQUEST)
                        .message(error.message())
                        .extensions(Map.of("code", error.code().name()))
                        .build())
                .orElseGet(() -> {
                    String errorId = UUID.randomUUID().toString();
                    log.error("unexpected failure in a subscription (error id {})", errorId, ex);
                    return GraphqlErrorBuilder.newError()
                            .errorType(ErrorType.INTERNAL_ERROR)
                            .message("internal error (id " + errorId + ")")
                            .extensions(Map.of("code", "INTERNAL_ERROR", "errorId", errorId))
                            .build();
                });
    }
}
