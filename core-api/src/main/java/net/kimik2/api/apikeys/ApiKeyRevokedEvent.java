package net.kimik2.api.apikeys;

import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record ApiKeyRevokedEvent(String ringId, String userId, String keyId, Instant revokedAt) {
}
