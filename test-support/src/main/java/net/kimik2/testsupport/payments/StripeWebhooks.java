package net.kimik2.testsupport.payments;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/** Delivers webhook events to a running service's {@code POST /webhooks/stripe} the way Stripe does. */
public final class StripeWebhooks {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;
    private final String secret;

    public StripeWebhooks(String serviceBaseUrl, String secret) {
        this.endpoint = URI.create(serviceBaseUrl + "/webhooks/stripe");
        this.secret = secret;
    }

    /** Signs {@code payload} now with the endpoint's secret and posts it; answers the HTTP status. */
    public int deliver(String payload) throws IOException, InterruptedException {
        return deliver(payload, StripeStub.sign(payload, secret, Instant.now().getEpochSecond()));
    }

    public int deliver(String payload, String signatureHeader) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Stripe-Signature", signatureHeader)
                .POST(HttpRequest.BodyPublishers.ofString(payload))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
