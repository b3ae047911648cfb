package net.kimik2.graphql.accounts;

import net.kimik2.api.accounts.AccountView;

/** The {@code UpdateProfileResult} union (members named by their Java simple names). */
sealed interface UpdateProfileResult {

    record ProfileUpdated(AccountView account) implements UpdateProfileResult {
    }

    record AlreadyTaken(String field) implements UpdateProfileResult {
    }

    record ValidationFailed(String field, String message) implements UpdateProfileResult {
    }

    record InvalidCredentials(String message) implements UpdateProfileResult {
    }
}
