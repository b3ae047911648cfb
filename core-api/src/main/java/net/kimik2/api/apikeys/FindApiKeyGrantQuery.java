package net.kimik2.api.apikeys;

/**
 * The grant of the key whose secret hashes to {@code secretHash}, if it is live (not revoked, not expired, its
 * owner not erased). Answers an optional {@link ApiKeyGrant}.
 */
public record FindApiKeyGrantQuery(String secretHash) {

    @Override
    public String toString() {
        return "FindApiKeyGrantQuery[]";
    }
}
