package net.kimik2.api.accounts;

import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record UserLoggedOutEvent(String userId, String sessionId, Instant loggedOutAt) {
}
