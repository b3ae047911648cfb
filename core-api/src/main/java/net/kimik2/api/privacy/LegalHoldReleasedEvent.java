package net.kimik2.api.privacy;

import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record LegalHoldReleasedEvent(String userId, String releasedBy, Instant releasedAt) {
}
