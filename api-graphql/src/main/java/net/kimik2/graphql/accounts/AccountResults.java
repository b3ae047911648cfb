package net.kimik2.graphql.accounts;

import net.kimik2.api.accounts.AccountView;

/** Members of the accounts unions; each Java name is its GraphQL type name. */
final class AccountResults {

    private AccountResults() {
    }

    record Registered(AccountView account) {
    }

    record AlreadyTaken(String field) {
    }

    record LoggedIn(String token, AccountView account) {
    }

    record InvalidCredentials(String message) {
    }

    record RegisterInput(String name, String email, String username, String password, String acceptedPolicyVersion) {

        @Override
        public String toString() {
            return "RegisterInput[]";
        }
    }

    record LoginInput(String usernameOrEmail, String password) {

        @Override
        public String toString() {
            return "LoginInput[]";
        }
    }
}
