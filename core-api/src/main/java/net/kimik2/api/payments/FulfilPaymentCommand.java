package net.kimik2.api.payments;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * A paid Checkout Session or invoice: grants {@code credits} once per payment, whatever the number of deliveries.
 * {@code credits} are the ones stamped on the purchase when it started, so a later price change never alters it.
 */
public record FulfilPaymentCommand(
        @TargetAggregateIdentifier String paymentId,
        @DataSubject String userId,
        PaymentKind kind,
        String itemId,
        long credits,
        long amountMinor,
        String currency,
        Instant expiresAt,
        @PersonalData String stripeReference,
        @PersonalData String cardBrand,
        @PersonalData String cardLast4) {
}
