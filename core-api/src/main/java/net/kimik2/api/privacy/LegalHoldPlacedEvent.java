package net.kimik2.api.privacy;

import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record LegalHoldPlacedEvent(String userId, String reason, String placedBy, Instant placedAt) {
}
