package net.kimik2.api.accounts;

import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record PolicyAcceptedEvent(String userId, String version, Instant acceptedAt) {
}
