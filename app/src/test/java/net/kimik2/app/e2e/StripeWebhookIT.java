package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.ME;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import net.kimik2.testsupport.payments.StripeStub;
import net.kimik2.testsupport.payments.StripeWebhooks;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Payments through the packaged jar against a local Stripe stub: a checkout creates the customer and session through
 * stripe-java (with idempotency keys), a signed {@code checkout.session.completed} grants the pack once, forged,
 * stale and malformed deliveries answer 400 and change nothing, and an event acknowledged right before a SIGKILL is
 * processed after the restart.
 */
@ExtendWith(ServiceLogsOnFailure.class)
class StripeWebhookIT {

    private static final String PASSWORD = "a long enough passphrase";
    private static final String ADMIN_PASSWORD = "an admin passphrase for payments";
    private static final long SIGNUP = 500_000;
    private static final long PACK = 5_000_000; // pack-5 in application.yml

    private static StripeStub stripe;

    @TempDir
    Path temp;

    @BeforeAll
    static void startStripe() throws Exception {
        stripe = new StripeStub();
    }

    @AfterAll
    static void stopStripe() {
        stripe.close();
    }

    private Map<String, String> env() {
        return Map.of("STRIPE_API_KEY", "sk_test_local", "STRIPE_WEBHOOK_SECRET", StripeStub.TEST_SECRET,
                "STRIPE_API_BASE", stripe.baseUrl(), "KIMI_PAYMENTS_DEAD_LETTERS_FIRST_BACKOFF", "PT1S",
                "KIMI_ADMIN_PASSWORD", ADMIN_PASSWORD);
    }

    private static final String START_CHECKOUT = """
            mutation Start($input: StartCheckoutInput!) {
              startCheckout(input: $input) {
                __typename
                ... on CheckoutStarted { checkoutUrl sessionId }
                ... on ValidationFailed { field message }
                ... on PaymentsUnavailable { message }
              }
            }""";

    private static String login(GraphQlClient client, String username) throws Exception {
        JsonNode registered = client.execute(REGISTER, registerInput("Payer " + username, username + "@example.com",
                username, PASSWORD)).data().path("register");
        assertThat(registered.path("__typename").asText()).as(registered.toString()).isEqualTo("Registered");
        return client.execute(LOGIN, loginInput(username, PASSWORD)).data().path("login").path("token").asText();
    }

    private static JsonNode me(GraphQlClient client, String token) throws Exception {
        return client.executeAs(token, ME, Map.of()).data().path("me");
    }

    private static long available(GraphQlClient client, String token) throws Exception {
        return me(client, token).path("credits").path("available").asLong();
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!condition.call()) {
            assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    /** What Stripe holds once the person paid the session: the session paid by a PaymentIntent and its charge. */
    private static String paid(String sessionId, String userId, String run) {
        String pi = "pi_" + run;
        String ch = "ch_" + run;
        stripe.put(StripeStub.charge(ch, "cus_" + run, pi, 500, "usd", "visa", "4242"));
        stripe.put(StripeStub.paymentIntent(pi, "cus_" + run, 500, "usd", ch));
        var session = stripe.get(sessionId) != null ? stripe.get(sessionId).deepCopy()
                : StripeStub.paidPackSession(sessionId, "cus_" + run, pi, 500, "usd", Map.of("kimi_user_id",
                userId, "kimi_item_id", "pack-5", "kimi_kind", "pack", "kimi_credits", Long.toString(PACK),
                "kimi_catalogue_version", "2026-01-01T00:00:00Z"));
        session.put("status", "complete");
        session.put("payment_status", "paid");
        session.put("payment_intent", pi);
        session.put("created", Instant.now().getEpochSecond());
        stripe.put(session);
        return StripeStub.event("evt_" + run, "checkout.session.completed", session, Instant.now().getEpochSecond());
    }

    @Test
    void aPaidCheckoutGrantsOnceAndBadDeliveriesChangeNothing() throws Exception {
        try (ServiceProcess service = ServiceBackend.service(temp.resolve("data"), env()).start()) {
            GraphQlClient client = service.client();
            StripeWebhooks webhooks = new StripeWebhooks(service.baseUrl(), StripeStub.TEST_SECRET);
            String token = login(client, "payer_one");
            String userId = me(client, token).path("id").asText();

            JsonNode started = client.executeAs(token, START_CHECKOUT, Map.of("input", Map.of("packId", "pack-5")))
                    .data().path("startCheckout");
            assertThat(started.path("__typename").asText()).as(started.toString()).isEqualTo("CheckoutStarted");
            String sessionId = started.path("sessionId").asText();
            assertThat(started.path("checkoutUrl").asText()).endsWith(sessionId);
            var customer = stripe.requests("POST", "/v1/customers");
            assertThat(customer).hasSize(1);
            assertThat(customer.get(0).idempotencyKey()).isEqualTo("customer-" + userId);
            assertThat(customer.get(0).form()).containsEntry("metadata[kimi_user_id]", userId);
            var session = stripe.requests("POST", "/v1/checkout/sessions");
            assertThat(session).hasSize(1);
            assertThat(session.get(0).idempotencyKey()).startsWith("checkout-");
            assertThat(session.get(0).form()).containsEntry("mode", "payment")
                    .containsEntry("client_reference_id", userId)
                    .containsEntry("metadata[kimi_item_id]", "pack-5")
                    .containsEntry("metadata[kimi_credits]", Long.toString(PACK))
                    .containsEntry("line_items[0][price_data][unit_amount]", "500");

            String event = paid(sessionId, userId, "one");
            assertThat(webhooks.deliver(event)).isEqualTo(200);
            await("the pack's credits", () -> available(client, token) == SIGNUP + PACK);
            // a duplicate delivery is acknowledged and grants nothing
            assertThat(webhooks.deliver(event)).isEqualTo(200);

            // forged, stale and malformed deliveries of a second purchase: 400, nothing recorded
            String second = paid("cs_two", userId, "two");
            long now = Instant.now().getEpochSecond();
            assertThat(webhooks.deliver(second, StripeStub.sign(second, "whsec_forged", now))).isEqualTo(400);
            assertThat(webhooks.deliver(second, StripeStub.sign(second, StripeStub.TEST_SECRET, now - 600)))
                    .isEqualTo(400);
            assertThat(webhooks.deliver(second, "t=" + now + ",v1=00")).isEqualTo(400);
            String malformed = "{\"id\": \"evt_bad\", \"object\": \"event\", \"data\": ";
            assertThat(webhooks.deliver(malformed, StripeStub.sign(malformed, StripeStub.TEST_SECRET, now)))
                    .isEqualTo(400);
            String noObject = "{\"id\":\"evt_empty\",\"object\":\"event\",\"type\":\"checkout.session.completed\"}";
            assertThat(webhooks.deliver(noObject, StripeStub.sign(noObject, StripeStub.TEST_SECRET, now)))
                    .isEqualTo(400);
            // unknown types are acknowledged and ignored
            String unknown = StripeStub.event("evt_unknown", "customer.created", StripeStub.customer("cus_x",
                    Map.of()), now);
            assertThat(webhooks.deliver(unknown)).isEqualTo(200);
            Thread.sleep(1_500);
            assertThat(available(client, token)).as("after the bad deliveries").isEqualTo(SIGNUP + PACK);
            assertThat(stripe.requests("GET", "/v1/checkout/sessions/cs_two")).as("no bad delivery was processed")
                    .isEmpty();
            // the forged deliveries recorded nothing: the genuine delivery of the same event id still counts
            assertThat(webhooks.deliver(second)).isEqualTo(200);
            await("the second pack", () -> available(client, token) == SIGNUP + 2 * PACK);
            assertThat(me(client, token).path("credits").path("held").asLong()).isZero();

            // the billing history lists both purchases with the card's brand and last 4
            await("the billing history", () -> client.executeAs(token, BILLING, Map.of()).data()
                    .path("billingHistory").path("edges").size() == 2);
            JsonNode entry = client.executeAs(token, BILLING, Map.of()).data().path("billingHistory").path("edges")
                    .get(0).path("node");
            assertThat(entry.path("kind").asText()).isEqualTo("purchase");
            assertThat(entry.path("amountCents").asInt()).isEqualTo(500);
            assertThat(entry.path("credits").asLong()).isEqualTo(PACK);
            assertThat(entry.path("cardBrand").asText()).isEqualTo("visa");
            assertThat(entry.path("cardLast4").asText()).isEqualTo("4242");

            // the data export holds both billing records with amounts and the card (DataRightsIT's helpers)
            String exportId = client.executeAs(token, DataRightsIT.REQUEST_EXPORT, Map.of()).data()
                    .path("requestDataExport").path("id").asText();
            String url = DataRightsIT.awaitExport(client, token, exportId).path("downloadUrl").asText();
            Map<String, String> zip = DataRightsIT.unzip(DataRightsIT.download(service, url,
                    Map.of("Cookie", "KIMI_SESSION=" + token)).body());
            JsonNode billing = new ObjectMapper().readTree(zip.get("export.json")).path("sections")
                    .path("billing");
            assertThat(billing.path("account").size()).as(billing.toString()).isPositive();
            assertThat(billing.path("payments").size()).as(billing.toString()).isEqualTo(2);
            JsonNode fulfilled = billing.path("payments").get(0).path("events").get(0);
            assertThat(fulfilled.path("type").asText()).isEqualTo("PaymentFulfilledEvent");
            assertThat(fulfilled.path("data").path("cardLast4").asText()).isEqualTo("4242");
            assertThat(fulfilled.path("data").path("amountMinor").asLong()).isEqualTo(500);
            assertThat(zip.get("summary.txt")).contains("Paid (usd, minor units): 1000", "payments: 2");

            // reconciliation of today: a session Stripe lists as paid whose event never arrived is a mismatch
            paid("cs_lost", userId, "lost");
            String admin = client.execute(LOGIN, loginInput("admin", ADMIN_PASSWORD)).data().path("login")
                    .path("token").asText();
            JsonNode report = client.executeAs(admin, RECONCILE, Map.of("day",
                    java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString())).data()
                    .path("paymentsReconciliation");
            assertThat(report.path("paidAtStripe").asInt()).as(report.toString()).isEqualTo(3);
            assertThat(report.path("granted").asInt()).as(report.toString()).isEqualTo(2);
            assertThat(report.path("mismatches").size()).as(report.toString()).isEqualTo(1);
            assertThat(report.path("mismatches").get(0).path("kind").asText()).isEqualTo("not_granted");
            assertThat(report.path("mismatches").get(0).path("paymentId").asText()).isEqualTo("payment-pi_lost");
            assertThat(report.path("mismatches").get(0).path("stripeObjectId").asText()).isEqualTo("cs_lost");

            // erasure deletes the Stripe customer through the API (with an idempotency key)
            JsonNode erasure = client.executeAs(token, ERASE, Map.of("u", "payer_one")).data()
                    .path("requestErasure");
            assertThat(erasure.path("__typename").asText()).as(erasure.toString()).isEqualTo("ErasureRequested");
            await("the Stripe customer's deletion", () -> !stripe.requests("DELETE", "/v1/customers/").isEmpty());
            var deletion = stripe.requests("DELETE", "/v1/customers/").get(0);
            assertThat(deletion.idempotencyKey()).startsWith("erase-");
            assertThat(stripe.get(deletion.path().substring("/v1/customers/".length()))).as("customer at Stripe")
                    .isNull();
        }
    }

    private static final String BILLING = """
            { billingHistory(first: 10) { edges { node { kind amountCents currency credits status cardBrand cardLast4 } } } }""";

    private static final String RECONCILE = """
            query Reconcile($day: String!) {
              paymentsReconciliation(day: $day) {
                paidAtStripe granted mismatches { kind paymentId stripeObjectId expected actual }
              }
            }""";

    private static final String ERASE = """
            mutation Erase($u: String!) {
              requestErasure(input: { confirmUsername: $u }) { __typename }
            }""";

    @Test
    void anEventAcknowledgedRightBeforeASigkillIsProcessedAfterTheRestart() throws Exception {
        Path data = temp.resolve("killed");
        String token;
        try (ServiceProcess first = ServiceBackend.service(data, env()).start()) {
            token = login(first.client(), "payer_killed");
            String userId = me(first.client(), token).path("id").asText();
            StripeWebhooks webhooks = new StripeWebhooks(first.baseUrl(), StripeStub.TEST_SECRET);
            // Stripe is unreachable for a moment: nothing can be processed before the kill, only recorded
            stripe.failNext(1_000_000);
            assertThat(webhooks.deliver(paid("cs_killed", userId, "killed"))).isEqualTo(200);
            first.kill(); // SIGKILL right after the 2xx, no shutdown hook
        } finally {
            stripe.failNext(0);
        }
        try (ServiceProcess second = ServiceBackend.service(data, env()).start()) {
            await("the pack acknowledged before the kill",
                    () -> available(second.client(), token) == SIGNUP + PACK);
        }
    }
}
