package net.kimik2.app.e2e;

import java.util.Map;

/** The contract's operations as a client sends them. */
final class Operations {

    static final String POLICY = "2026-01";

    static final String REGISTER = """
            mutation Register($input: RegisterInput!) {
              register(input: $input) {
                __typename
                ... on Registered { account { id username name email createdAt credits { available held debt } } }
                ... on ValidationFailed { invalidField: field message }
                ... on AlreadyTaken { field }
              }
            }""";

    static final String LOGIN = """
            mutation Login($input: LoginInput!) {
              login(input: $input) {
                __typename
                ... on LoggedIn { token account { id username } }
                ... on InvalidCredentials { message }
              }
            }""";

    static final String ME = "{ me { id username name email createdAt credits { available held debt } } }";

    static final String LEDGER = """
            query Ledger($first: Int, $after: String) {
              creditLedger(first: $first, after: $after) {
                edges { cursor node { id kind amount createdAt reference } }
                pageInfo { hasNextPage endCursor }
              }
            }""";

    static final String LOGOUT = "mutation { logout }";

    private Operations() {
    }

    static Map<String, Object> registerInput(String name, String email, String username, String password) {
        return Map.of("input", Map.of("name", name, "email", email, "username", username, "password", password,
                "acceptedPolicyVersion", POLICY));
    }

    static Map<String, Object> loginInput(String usernameOrEmail, String password) {
        return Map.of("input", Map.of("usernameOrEmail", usernameOrEmail, "password", password));
    }
}
