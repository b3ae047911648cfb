package net.kimik2.stripe.payments;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Stripe's settings from the runtime contract: {@code STRIPE_API_KEY} (unset: checkout answers PaymentsUnavailable),
 * {@code STRIPE_WEBHOOK_SECRET} (unset: webhooks refused), {@code STRIPE_API_BASE} (tests point it at a local stub).
 */
@Component
public class StripeSettings {

    /** Stripe's recommended tolerance between a signature's timestamp and now. */
    public static final long WEBHOOK_TOLERANCE_SECONDS = 300;

    private final String apiKey;
    private final String webhookSecret;
    private final String apiBase;
    private final String successUrl;
    private final String cancelUrl;

    public StripeSettings(@Value("${stripe.api-key:}") String apiKey,
                          @Value("${stripe.webhook-secret:}") String webhookSecret,
                          @Value("${stripe.api-base:https://api.stripe.com}") String apiBase,
                          @Value("${kimi.payments.success-url:http://localhost:8080/?checkout=success}") String successUrl,
                          @Value("${kimi.payments.cancel-url:http://localhost:8080/?checkout=cancelled}") String cancelUrl) {
        this.apiKey = apiKey;
        this.webhookSecret = webhookSecret;
        this.apiBase = apiBase.endsWith("/") ? apiBase.substring(0, apiBase.length() - 1) : apiBase;
        this.successUrl = successUrl;
        this.cancelUrl = cancelUrl;
    }

    public String apiKey() {
        return apiKey;
    }

    public String webhookSecret() {
        return webhookSecret;
    }

    public String apiBase() {
        return apiBase;
    }

    public String successUrl() {
        return successUrl;
    }

    public String cancelUrl() {
        return cancelUrl;
    }

    public boolean apiEnabled() {
        return !apiKey.isBlank();
    }

    public boolean webhooksEnabled() {
        return !webhookSecret.isBlank();
    }
}
