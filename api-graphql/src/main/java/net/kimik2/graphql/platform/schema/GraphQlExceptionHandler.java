package net.kimik2.graphql.platform.schema;

import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.schema.DataFetchingEnvironment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import net.kimik2.api.platform.DomainError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.graphql.execution.DataFetcherExceptionResolverAdapter;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.stereotype.Component;

/**
 * The one place where exceptions become GraphQL errors. Expected domain failures keep their code and fixed message;
 * anything else is logged with an error id and answered as INTERNAL_ERROR carrying only that id, so no internal
 * message or stack trace reaches a client.
 */
@Component
class GraphQlExceptionHandler extends DataFetcherExceptionResolverAdapter {

    private static final Logger log = LoggerFactory.getLogger(GraphQlExceptionHandler.class);

    GraphQlExceptionHandler() {
        setThreadLocalContextAware(true);
    }

    @Override
    protected GraphQLError resolveToSingleError(Throwable ex, DataFetchingEnvironment env) {
        return DomainErrors.of(ex).map(error -> domainError(error, env)).orElseGet(() -> internalError(ex, env));
    }

    private static GraphQLError domainError(DomainError error, DataFetchingEnvironment env) {
        Map<String, Object> extensions = new LinkedHashMap<>();
        extensions.put("code", error.code().name());
        if (error.field() != null) {
            extensions.put("field", error.field());
        }
        if (error.code() == net.kimik2.api.platform.ErrorCode.BUSY
                || error.code() == net.kimik2.api.platform.ErrorCode.RATE_LIMITED) {
            extensions.put("retryAfterSeconds", Math.max(1, error.amount("retryAfterSeconds")));
        }
        return GraphqlErrorBuilder.newError(env)
                .errorType(switch (error.code()) {
                    case UNAUTHENTICATED -> ErrorType.UNAUTHORIZED;
                    case FORBIDDEN -> ErrorType.FORBIDDEN;
                    case NOT_FOUND -> ErrorType.NOT_FOUND;
                    default -> ErrorType.BAD_REQUEST;
                })
                .message(error.message())
                .extensions(extensions)
                .build();
    }

    private static GraphQLError internalError(Throwable ex, DataFetchingEnvironment env) {
        String errorId = UUID.randomUUID().toString();
        log.error("unexpected failure in {} (error id {})", env.getField().getName(), errorId, ex);
        return GraphqlErrorBuilder.newError(env)
                .errorType(ErrorType.INTERNAL_ERROR)
                .message("internal error (id " + errorId + ")")
                .extensions(Map.of("code", "INTERNAL_ERROR", "errorId", errorId))
                .build();
    }
}
