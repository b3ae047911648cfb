package net.kimik2.graphql.credits;

/**
 * The {@code GrantCreditsResult} union of credits.graphqls. Each member's Java simple name is its GraphQL type name
 * (Spring for GraphQL's default type resolver).
 */
sealed interface GrantCreditsResult {

    record CreditsGranted(String grantId) implements GrantCreditsResult {
    }

    record ValidationFailed(String field, String message) implements GrantCreditsResult {
    }
}
