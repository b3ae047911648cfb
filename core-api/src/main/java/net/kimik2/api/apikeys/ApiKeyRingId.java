package net.kimik2.api.apikeys;

/**
 * The id of a person's key ring, the aggregate that holds all their API keys (so that erasure revokes every key in
 * one command and the number of keys per person is bounded in one place).
 */
public final class ApiKeyRingId {

    private static final String PREFIX = "apikeys-";

    private ApiKeyRingId() {
    }

    public static String forUser(String userId) {
        return PREFIX + userId;
    }
}
