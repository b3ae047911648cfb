package net.kimik2.api.credits;

import java.time.Instant;
import java.util.List;
import org.axonframework.serialization.Revision;

/**
 * A held payment charged: {@code amount} = sum of {@code draws} + {@code debtIncurred}. Its hold, if still open, was
 * released just before in the same unit of work ({@link ReleaseCode#SETTLED}), so hold, release and capture add up
 * to exactly the charge.
 */
@Revision("1")
public record CreditsCapturedEvent(
        String ledgerId,
        String userId,
        String holdId,
        long amount,
        List<BucketDraw> draws,
        long debtIncurred,
        Instant capturedAt) {
}
