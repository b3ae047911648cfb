package net.kimik2.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.kimik2.testsupport.payments.StripeStub;
import net.kimik2.testsupport.payments.StripeWebhooks;

/**
 * Stripe webhooks from signature check to ledger ({@code webhooks}): {@code webhookEvents} (2000) paid
 * {@code checkout.session.completed} events, each a distinct pack purchase of one of {@code webhookUsers} (20)
 * people, delivered signed by {@code c} (8) closed-loop clients to {@code POST /webhooks/stripe}; the service
 * verifies, records in the inbox, re-reads the session from the local Stripe stub, fulfils the payment and grants
 * the credits. Events/s = events / (first delivery until every grant shows in the people's balances). The
 * acceptance rate (2xx/s at the endpoint) is reported beside it. {@code warmupEvents} (200) are not counted.
 */
record WebhookScenario(Harness h, StripeStub stripe) {

    static final long PACK_CREDITS = 1_000_000;

    void run() throws Exception {
        int users = h.settings.integer("webhookUsers", 20);
        int events = h.settings.integer("webhookEvents", 2000);
        int warmup = h.settings.integer("warmupEvents", 200);
        int clients = h.settings.integer("c", 8);
        List<Api.Account> accounts = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            Api.Account account = h.api().register("hook_" + h.runId + "_" + u, "Webhook Payer " + u);
            accounts.add(account);
            tokens.add(h.api().login(account));
        }
        StripeWebhooks webhooks = new StripeWebhooks(h.service().baseUrl(), StripeStub.TEST_SECRET);
        AtomicLong sequence = new AtomicLong();
        Load.ClientTask deliver = (k, i) -> {
            long n = sequence.incrementAndGet();
            Api.Account payer = accounts.get((int) (n % users));
            String payload = purchase(stripe, "bench", payer.id(), h.runId + "_" + n);
            int status;
            try {
                status = webhooks.deliver(payload);
            } catch (Exception e) {
                throw new Api.BenchFailure("delivery failed: " + e);
            }
            if (status != 200) {
                throw new Api.BenchFailure("delivery answered " + status);
            }
        };
        long base = total(tokens);
        Load.Result warm = Load.count(warmup, clients, deliver);
        if (!warm.failures().isEmpty()) {
            throw new Api.BenchFailure("warm-up deliveries failed: " + warm.failures().get(0));
        }
        awaitTotal(tokens, base + (long) warmup * PACK_CREDITS);
        long before = total(tokens);
        CpuWatch cpu = h.cpu();
        long start = System.nanoTime();
        Load.Result result = Load.count(events, clients, deliver);
        long accepted = System.nanoTime();
        long expected = before + (long) result.succeeded() * PACK_CREDITS;
        boolean reached = awaitTotal(tokens, expected);
        long done = System.nanoTime();
        CpuWatch.Usage usage = cpu.usage();
        if (!result.failures().isEmpty()) {
            h.report.problem("webhooks: " + result.failures().size() + " deliveries failed, first: "
                    + result.failures().get(0));
        }
        long granted = (total(tokens) - before) / PACK_CREDITS;
        double perSecond = result.succeeded() / ((done - start) / 1e9);
        h.report.row(new Report.Row("webhooks", String.format(Locale.ROOT,
                "%d checkout.session.completed, %d people, C=%d", events, users, clients), perSecond, "events/s",
                "delivery to 2xx", result.percentileMillis(0.5), result.percentileMillis(0.99), usage.other(),
                granted + " of " + result.succeeded() + " grants in the balances" + (reached ? "" : " (TIMED OUT)")
                        + String.format(Locale.ROOT, "; endpoint accepted %.0f/s",
                        result.succeeded() / ((accepted - start) / 1e9))));
    }

    /**
     * Puts a paid pack purchase of {@code userId} into the stub (session, PaymentIntent, charge; ids named by
     * {@code prefix} and {@code key}) and answers its event. Shared with the soak.
     */
    static String purchase(StripeStub stripe, String prefix, String userId, String key) {
        String pi = "pi_" + prefix + "_" + key;
        String ch = "ch_" + prefix + "_" + key;
        String cs = "cs_" + prefix + "_" + key;
        String customer = "cus_" + prefix;
        stripe.put(StripeStub.charge(ch, customer, pi, 100, "usd", "visa", "4242"));
        stripe.put(StripeStub.paymentIntent(pi, customer, 100, "usd", ch));
        var session = stripe.put(StripeStub.paidPackSession(cs, customer, pi, 100, "usd", Map.of(
                "kimi_user_id", userId, "kimi_item_id", "bench-pack", "kimi_kind", "pack",
                "kimi_credits", Long.toString(PACK_CREDITS), "kimi_catalogue_version", "bench")));
        return StripeStub.event("evt_" + prefix + "_" + key, "checkout.session.completed", session,
                System.currentTimeMillis() / 1000);
    }

    private long total(List<String> tokens) {
        long sum = 0;
        for (String token : tokens) {
            sum += h.api().me(token, null).path("credits").path("available").asLong();
        }
        return sum;
    }

    private boolean awaitTotal(List<String> tokens, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + h.settleTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (total(tokens) >= expected) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
