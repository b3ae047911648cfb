package net.kimik2.api.credits;

import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record CreditLedgerOpenedEvent(String ledgerId, String userId, Instant openedAt) {
}
