package net.kimik2.api.apikeys;

/** The person's API keys, newest first (revoked ones included). Answers an {@link ApiKeyList}. */
public record FindApiKeysQuery(String userId) {
}
