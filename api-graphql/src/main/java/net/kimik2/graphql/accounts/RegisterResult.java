package net.kimik2.graphql.accounts;

import net.kimik2.api.accounts.AccountView;

/**
 * The {@code RegisterResult} union of accounts.graphqls. Each member's Java simple name is its GraphQL type name
 * (Spring for GraphQL's default type resolver).
 */
sealed interface RegisterResult {

    record Registered(AccountView account) implements RegisterResult {
    }

    /** The email or the username (named by {@code field}) belongs to another account. */
    record AlreadyTaken(String field) implements RegisterResult {
    }

    record ValidationFailed(String field, String message) implements RegisterResult {
    }
}
