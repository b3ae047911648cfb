package net.kimik2.graphql.apikeys;

import net.kimik2.api.apikeys.ApiKeyView;

/** The {@code CreateApiKeyResult} union of apikeys.graphqls; member simple names are the GraphQL type names. */
sealed interface CreateApiKeyResult {

    record ApiKeyCreated(String secret, ApiKeyView apiKey) implements CreateApiKeyResult {
    }

    record ValidationFailed(String field, String message) implements CreateApiKeyResult {
    }
}
