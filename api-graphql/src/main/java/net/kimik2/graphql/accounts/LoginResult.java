package net.kimik2.graphql.accounts;

import net.kimik2.api.accounts.AccountView;

/**
 * The {@code LoginResult} union of accounts.graphqls. Each member's Java simple name is its GraphQL type name
 * (Spring for GraphQL's default type resolver).
 */
sealed interface LoginResult {

    record LoggedIn(String token, AccountView account) implements LoginResult {
    }

    record InvalidCredentials(String message) implements LoginResult {
    }
}
