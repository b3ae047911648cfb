package net.kimik2.graphql.audit;

import java.time.Instant;
import java.util.List;

/**
 * The {@code ReplayViewsResult} union of audit.graphqls. Each member's Java simple name is its GraphQL type name
 * (Spring for GraphQL's default type resolver).
 */
sealed interface ReplayViewsResult {

    record ReplayStarted(List<String> processors, Instant startedAt) implements ReplayViewsResult {
    }

    record ValidationFailed(String field, String message) implements ReplayViewsResult {
    }
}
