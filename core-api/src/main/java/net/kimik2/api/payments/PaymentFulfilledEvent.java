package net.kimik2.api.payments;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

/** A payment's credits are due: the ledger grants {@code credits} as the paid bucket {@code grantId}. */
@Revision("1")
public record PaymentFulfilledEvent(
        String paymentId,
        @DataSubject String userId,
        PaymentKind kind,
        String itemId,
        String grantId,
        long credits,
        long amountMinor,
        String currency,
        Instant expiresAt,
        @PersonalData String stripeReference,
        @PersonalData String cardBrand,
        @PersonalData String cardLast4,
        Instant fulfilledAt) {
}
