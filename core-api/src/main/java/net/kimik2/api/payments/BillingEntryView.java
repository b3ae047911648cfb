package net.kimik2.api.payments;

import java.time.Instant;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.privacy.PersonalData;

/**
 * One billing movement: {@code kind} is purchase, subscription_period, refund or dispute; {@code credits} is signed
 * (what it added to or took from the balance); card brand and last 4 are null once the person was erased.
 */
public record BillingEntryView(String id, @DataSubject String userId, String kind, long amountCents, String currency,
                               long credits, String status, Instant createdAt, @PersonalData String cardBrand,
                               @PersonalData String cardLast4, String cursor) {
}
