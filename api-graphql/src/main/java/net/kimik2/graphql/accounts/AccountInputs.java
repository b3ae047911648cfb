package net.kimik2.graphql.accounts;

/** The accounts inputs; they carry passwords, so their {@code toString} shows none of their values. */
final class AccountInputs {

    private AccountInputs() {
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
