package net.kimik2.api.privacy;

import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record DataExportRequestedEvent(String userId, String exportId, Instant requestedAt) {
}
