package net.kimik2.api.payments;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.serialization.Revision;

/**
 * A payment's credits are due: the ledger grants {@code credits} as the paid bucket {@code grantId}. The card and
 * Stripe reference are under the payment's own key ({@code payment:<paymentId>}, owned by the person): the billing
 * records retention rule shreds one payment's personal fields after the period, an erasure shreds them all.
 */
@Revision("1")
public record PaymentFulfilledEvent(
        @DataSubject(scope = "payment", owner = "userId") String paymentId,
        String userId,
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
