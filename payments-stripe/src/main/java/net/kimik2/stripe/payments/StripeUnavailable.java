package net.kimik2.stripe.payments;

/** Stripe could not be reached or refused a call; the message names the step, never Stripe's raw answer. */
public class StripeUnavailable extends RuntimeException {

    public StripeUnavailable(String step, Throwable cause) {
        super("Stripe failed while " + step + (cause instanceof com.stripe.exception.StripeException s
                && s.getStatusCode() != null ? " (HTTP " + s.getStatusCode() + ")" : ""), cause);
    }
}
