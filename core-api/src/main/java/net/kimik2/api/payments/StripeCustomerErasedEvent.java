package net.kimik2.api.payments;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * The person's Stripe customer was deleted at Stripe ({@code deletedAtStripe}), or could not be because payments are
 * no longer configured on this service (then an operator deletes it in Stripe's dashboard).
 */
@Revision("1")
public record StripeCustomerErasedEvent(String billingAccountId, String userId, boolean deletedAtStripe,
                                        Instant erasedAt) {
}
