package net.kimik2.testsupport.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A local stand-in for Stripe's API on 127.0.0.1 (random port), speaking its wire format for the API version that
 * stripe-java 33.3.0 pins ({@value #API_VERSION}): form-encoded POSTs, JSON objects with {@code id} and
 * {@code object}, {@code expand[]}, idempotency keys (a repeated key replays the first answer, as Stripe does) and
 * Stripe's error envelope. Point the service at it with {@code STRIPE_API_BASE=}{@link #baseUrl()}.
 *
 * <p>Tests put objects (sessions, invoices, charges, disputes, subscriptions) with the factories below, change them
 * as Stripe would, and build events signed like Stripe's ({@link #sign}). Every request is recorded.
 */
public final class StripeStub implements AutoCloseable {

    public static final String API_VERSION = "2026-07-29.dahlia";
    public static final String TEST_SECRET = "whsec_test_local_only";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request as the stub saw it. */
    public record Request(String method, String path, String idempotencyKey, Map<String, String> form) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(16);
    private final Map<String, ObjectNode> objects = new ConcurrentHashMap<>();
    private final Map<String, String> idempotentAnswers = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong(1000);

    public StripeStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(String method, String pathPrefix) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).toList();
    }

    /** The next {@code n} requests answer 500 (Stripe's api_error), to exercise retries and dead letters. */
    public void failNext(int n) {
        failures.set(n);
    }

    public ObjectNode get(String id) {
        return objects.get(id);
    }

    /** Stores (or replaces) an object under its id, as Stripe's current state. */
    public ObjectNode put(ObjectNode object) {
        objects.put(object.path("id").asText(), object);
        return object;
    }

    public String newId(String prefix) {
        return prefix + "_test" + ids.incrementAndGet();
    }

    // ---------------------------------------------------------------- object factories (Stripe's shapes)

    public static ObjectNode customer(String id, Map<String, String> metadata) {
        ObjectNode c = base(id, "customer");
        c.putNull("email");
        c.putNull("name");
        c.set("metadata", JSON.valueToTree(metadata));
        c.put("delinquent", false);
        return c;
    }

    /** A completed Checkout Session in {@code payment} mode, paid by {@code paymentIntentId}. */
    public static ObjectNode paidPackSession(String id, String customerId, String paymentIntentId, long amount,
                                             String currency, Map<String, String> metadata) {
        ObjectNode s = base(id, "checkout.session");
        s.put("mode", "payment");
        s.put("status", "complete");
        s.put("payment_status", "paid");
        s.put("amount_subtotal", amount);
        s.put("amount_total", amount);
        s.put("currency", currency);
        s.put("customer", customerId);
        s.put("client_reference_id", metadata.get("kimi_user_id"));
        s.put("payment_intent", paymentIntentId);
        s.putNull("subscription");
        s.putNull("url");
        s.put("success_url", "http://localhost/success");
        s.put("cancel_url", "http://localhost/cancel");
        s.set("metadata", JSON.valueToTree(metadata));
        return s;
    }

    /** A completed Checkout Session in {@code subscription} mode. */
    public static ObjectNode subscriptionSession(String id, String customerId, String subscriptionId, long amount,
                                                 String currency, Map<String, String> metadata) {
        ObjectNode s = paidPackSession(id, customerId, null, amount, currency, metadata);
        s.put("mode", "subscription");
        s.putNull("payment_intent");
        s.put("subscription", subscriptionId);
        return s;
    }

    public static ObjectNode paymentIntent(String id, String customerId, long amount, String currency,
                                           String latestChargeId) {
        ObjectNode p = base(id, "payment_intent");
        p.put("amount", amount);
        p.put("amount_received", amount);
        p.put("currency", currency);
        p.put("customer", customerId);
        p.put("status", "succeeded");
        p.put("latest_charge", latestChargeId);
        p.set("metadata", JSON.createObjectNode());
        return p;
    }

    public static ObjectNode charge(String id, String customerId, String paymentIntentId, long amount, String currency,
                                    String brand, String last4) {
        ObjectNode c = base(id, "charge");
        c.put("amount", amount);
        c.put("amount_captured", amount);
        c.put("amount_refunded", 0);
        c.put("captured", true);
        c.put("currency", currency);
        c.put("customer", customerId);
        c.put("paid", true);
        c.put("payment_intent", paymentIntentId);
        c.put("refunded", false);
        c.put("disputed", false);
        c.put("status", "succeeded");
        c.set("metadata", JSON.createObjectNode());
        ObjectNode details = c.putObject("payment_method_details");
        details.put("type", "card");
        ObjectNode card = details.putObject("card");
        card.put("brand", brand);
        card.put("last4", last4);
        card.put("exp_month", 12);
        card.put("exp_year", 2030);
        card.put("funding", "credit");
        card.put("country", "US");
        return c;
    }

    /** Stripe's charge after refunds totalling {@code amountRefunded}. */
    public static ObjectNode refunded(ObjectNode charge, long amountRefunded) {
        ObjectNode c = charge.deepCopy();
        c.put("amount_refunded", amountRefunded);
        c.put("refunded", amountRefunded >= c.path("amount").asLong());
        return c;
    }

    public static ObjectNode dispute(String id, String chargeId, String paymentIntentId, long amount, String currency,
                                     String status) {
        ObjectNode d = base(id, "dispute");
        d.put("amount", amount);
        d.put("charge", chargeId);
        d.put("currency", currency);
        d.put("payment_intent", paymentIntentId);
        d.put("reason", "fraudulent");
        d.put("status", status);
        d.put("is_charge_refundable", false);
        d.set("metadata", JSON.createObjectNode());
        d.set("balance_transactions", JSON.createArrayNode());
        return d;
    }

    public static ObjectNode subscription(String id, String customerId, String status, Map<String, String> metadata) {
        ObjectNode s = base(id, "subscription");
        s.put("customer", customerId);
        s.put("status", status);
        s.put("cancel_at_period_end", false);
        s.set("metadata", JSON.valueToTree(metadata));
        ObjectNode items = s.putObject("items");
        items.put("object", "list");
        items.set("data", JSON.createArrayNode());
        items.put("has_more", false);
        items.put("url", "/v1/subscription_items?subscription=" + id);
        return s;
    }

    /**
     * A paid subscription invoice (API 2025-03-31 and later: the subscription is under {@code parent}, payments under
     * the expandable {@code payments} list, the period on the line item).
     */
    public static ObjectNode paidInvoice(String id, String customerId, String subscriptionId, String paymentIntentId,
                                         long amount, String currency, long periodStart, long periodEnd,
                                         Map<String, String> subscriptionMetadata) {
        ObjectNode i = base(id, "invoice");
        i.put("amount_due", amount);
        i.put("amount_paid", amount);
        i.put("amount_remaining", 0);
        i.put("currency", currency);
        i.put("customer", customerId);
        i.put("status", "paid");
        i.put("billing_reason", "subscription_cycle");
        i.put("period_start", periodStart);
        i.put("period_end", periodStart);
        ObjectNode parent = i.putObject("parent");
        parent.put("type", "subscription_details");
        parent.putNull("quote_details");
        ObjectNode details = parent.putObject("subscription_details");
        details.put("subscription", subscriptionId);
        details.set("metadata", JSON.valueToTree(subscriptionMetadata));
        ObjectNode lines = i.putObject("lines");
        lines.put("object", "list");
        ObjectNode line = lines.putArray("data").addObject();
        line.put("id", "il_" + id);
        line.put("object", "line_item");
        line.put("amount", amount);
        line.put("currency", currency);
        line.put("invoice", id);
        line.put("quantity", 1);
        ObjectNode period = line.putObject("period");
        period.put("start", periodStart);
        period.put("end", periodEnd);
        lines.put("has_more", false);
        lines.put("url", "/v1/invoices/" + id + "/lines");
        ObjectNode payments = i.putObject("payments");
        payments.put("object", "list");
        ObjectNode payment = payments.putArray("data").addObject();
        payment.put("id", "inpay_" + id);
        payment.put("object", "invoice_payment");
        payment.put("amount_paid", amount);
        payment.put("amount_requested", amount);
        payment.put("currency", currency);
        payment.put("invoice", id);
        payment.put("is_default", true);
        payment.put("livemode", false);
        payment.put("status", "paid");
        ObjectNode pay = payment.putObject("payment");
        pay.put("type", "payment_intent");
        pay.put("payment_intent", paymentIntentId);
        payments.put("has_more", false);
        payments.put("url", "/v1/invoice_payments");
        return i;
    }

    private static ObjectNode base(String id, String object) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("object", object);
        o.put("created", 1767225600L);
        o.put("livemode", false);
        return o;
    }

    // ---------------------------------------------------------------- events and signatures

    /** A webhook event about {@code object} (a snapshot, as Stripe sends it). */
    public static String event(String eventId, String type, JsonNode object, long created) {
        ObjectNode e = JSON.createObjectNode();
        e.put("id", eventId);
        e.put("object", "event");
        e.put("api_version", API_VERSION);
        e.put("created", created);
        e.putObject("data").set("object", object);
        e.put("livemode", false);
        e.put("pending_webhooks", 1);
        ObjectNode request = e.putObject("request");
        request.putNull("id");
        request.putNull("idempotency_key");
        e.put("type", type);
        return e.toString();
    }

    /** Stripe's {@code Stripe-Signature} header: {@code t=<timestamp>,v1=<hex HMAC-SHA256 of "t.payload">}. */
    public static String sign(String payload, String secret, long timestampSeconds) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((timestampSeconds + "." + payload).getBytes(StandardCharsets.UTF_8));
            return "t=" + timestampSeconds + ",v1=" + HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> form = parseForm(body);
            Map<String, String> query = parseForm(exchange.getRequestURI().getRawQuery());
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            requests.add(new Request(method, path, key, form));
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                respond(exchange, 500, error("api_error", null, "stub failure"));
                return;
            }
            if (key != null && method.equals("POST")) {
                String replay = idempotentAnswers.get(method + path + key);
                if (replay != null) {
                    exchange.getResponseHeaders().add("Idempotent-Replayed", "true");
                    respond(exchange, 200, replay);
                    return;
                }
            }
            Answer answer = route(method, path, form, query);
            if (key != null && method.equals("POST") && answer.status() == 200) {
                idempotentAnswers.put(method + path + key, answer.body());
            }
            respond(exchange, answer.status(), answer.body());
        }
    }

    private record Answer(int status, String body) {
    }

    private Answer route(String method, String path, Map<String, String> form, Map<String, String> query) {
        String[] parts = path.substring("/v1/".length()).split("/");
        if (method.equals("POST") && path.equals("/v1/customers")) {
            ObjectNode c = put(customer(newId("cus"), metadata(form)));
            return new Answer(200, c.toString());
        }
        if (method.equals("POST") && path.equals("/v1/checkout/sessions")) {
            return new Answer(200, put(newSession(form)).toString());
        }
        if (method.equals("DELETE") && parts.length == 2 && parts[0].equals("customers")) {
            ObjectNode c = objects.remove(parts[1]);
            if (c == null) {
                return missing(parts[1]);
            }
            ObjectNode deleted = JSON.createObjectNode();
            deleted.put("id", parts[1]);
            deleted.put("object", "customer");
            deleted.put("deleted", true);
            return new Answer(200, deleted.toString());
        }
        if (method.equals("POST") && parts.length == 2 && parts[0].equals("subscriptions")) {
            ObjectNode s = objects.get(parts[1]);
            if (s == null) {
                return missing(parts[1]);
            }
            if ("true".equals(form.get("cancel_at_period_end"))) {
                s.put("cancel_at_period_end", true);
            }
            return new Answer(200, s.toString());
        }
        if (method.equals("GET") && (path.equals("/v1/checkout/sessions") || path.equals("/v1/invoices"))) {
            return new Answer(200, list(path.equals("/v1/invoices") ? "invoice" : "checkout.session", path, query)
                    .toString());
        }
        if (method.equals("GET")) {
            String id = parts[parts.length - 1];
            ObjectNode o = objects.get(id);
            if (o == null) {
                return missing(id);
            }
            return new Answer(200, expand(o, query).toString());
        }
        return new Answer(404, error("invalid_request_error", null, "Unrecognized request URL"));
    }

    /** A list endpoint: {@code created[gte]}, {@code created[lt]} and {@code status} filters, newest first. */
    private ObjectNode list(String object, String url, Map<String, String> query) {
        long gte = Long.parseLong(query.getOrDefault("created[gte]", "0"));
        long lt = Long.parseLong(query.getOrDefault("created[lt]", Long.toString(Long.MAX_VALUE)));
        String status = query.get("status");
        Map<String, String> itemQuery = new LinkedHashMap<>();
        query.forEach((k, v) -> {
            if (k.startsWith("expand[") && v.startsWith("data.")) {
                itemQuery.put(k, v.substring("data.".length()));
            }
        });
        ObjectNode list = JSON.createObjectNode();
        list.put("object", "list");
        ArrayNode data = list.putArray("data");
        objects.values().stream()
                .filter(o -> o.path("object").asText().equals(object))
                .filter(o -> o.path("created").asLong() >= gte && o.path("created").asLong() < lt)
                .filter(o -> status == null || status.equals(o.path("status").asText()))
                .sorted((a, b) -> Long.compare(b.path("created").asLong(), a.path("created").asLong()))
                .forEach(o -> data.add(expand(o, itemQuery)));
        list.put("has_more", false);
        list.put("url", url);
        return list;
    }

    private ObjectNode newSession(Map<String, String> form) {
        String id = newId("cs");
        boolean subscription = "subscription".equals(form.get("mode"));
        ObjectNode s = base(id, "checkout.session");
        s.put("mode", subscription ? "subscription" : "payment");
        s.put("status", "open");
        s.put("payment_status", "unpaid");
        String amount = form.get("line_items[0][price_data][unit_amount]");
        if (amount != null) {
            s.put("amount_total", Long.parseLong(amount));
        }
        s.put("currency", form.getOrDefault("line_items[0][price_data][currency]", "usd"));
        s.put("customer", form.get("customer"));
        s.put("client_reference_id", form.get("client_reference_id"));
        s.putNull("payment_intent");
        s.putNull("subscription");
        s.put("url", "https://checkout.stripe.com/c/pay/" + id);
        s.put("success_url", form.get("success_url"));
        s.put("cancel_url", form.get("cancel_url"));
        s.set("metadata", JSON.valueToTree(metadata(form)));
        return s;
    }

    /** {@code expand[]=payment_intent.latest_charge} on sessions; {@code payments} of invoices only when expanded. */
    private ObjectNode expand(ObjectNode stored, Map<String, String> query) {
        ObjectNode o = stored.deepCopy();
        List<String> expand = new ArrayList<>();
        query.forEach((k, v) -> {
            if (k.startsWith("expand[")) {
                expand.add(v);
            }
        });
        if (o.path("object").asText().equals("invoice") && !expand.contains("payments")) {
            o.remove("payments");
        }
        for (String path : expand) {
            String[] steps = path.split("\\.");
            ObjectNode at = o;
            for (String step : steps) {
                JsonNode ref = at.get(step);
                if (ref == null || !ref.isTextual() || !objects.containsKey(ref.asText())) {
                    break;
                }
                ObjectNode expanded = objects.get(ref.asText()).deepCopy();
                at.set(step, expanded);
                at = expanded;
            }
        }
        return o;
    }

    private static Map<String, String> metadata(Map<String, String> form) {
        Map<String, String> metadata = new LinkedHashMap<>();
        form.forEach((k, v) -> {
            if (k.startsWith("metadata[") && k.endsWith("]")) {
                metadata.put(k.substring("metadata[".length(), k.length() - 1), v);
            }
        });
        return metadata;
    }

    private static Answer missing(String id) {
        return new Answer(404, error("invalid_request_error", "resource_missing", "No such object: '" + id + "'"));
    }

    private static String error(String type, String code, String message) {
        ObjectNode e = JSON.createObjectNode();
        ObjectNode error = e.putObject("error");
        error.put("type", type);
        if (code != null) {
            error.put("code", code);
        }
        error.put("message", message);
        return e.toString();
    }

    private static Map<String, String> parseForm(String raw) {
        Map<String, String> form = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return form;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.merge(k, v, (a, b) -> a);
            if (k.equals("expand[]")) {
                form.put("expand[" + form.size() + "]", v);
            }
        }
        return form;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Request-Id", "req_stub");
        exchange.getResponseHeaders().add("Stripe-Version", API_VERSION);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
