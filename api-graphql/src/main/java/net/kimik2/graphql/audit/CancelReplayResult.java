package net.kimik2.graphql.audit;

/** The {@code CancelReplayResult} union of audit.graphqls (members named as their GraphQL types). */
sealed interface CancelReplayResult {

    record ReplayCancelled(String processor) implements CancelReplayResult {
    }

    record ValidationFailed(String field, String message) implements CancelReplayResult {
    }
}
