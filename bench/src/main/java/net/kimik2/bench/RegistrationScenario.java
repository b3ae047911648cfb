package net.kimik2.bench;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Registrations from C closed-loop clients ({@code registrations}, 1000; {@code c}, 4; {@code warmupRegistrations},
 * 50, not counted). {@code register} answers once the account and balance views show the new account, so its
 * latency is end to end: command, event, projection. Every answer must be {@code Registered}; one whose
 * {@code credits.available} is not the signup credits breaks read-your-writes and is counted apart. With several
 * {@code nodes} (issue 15) client k registers on node k mod N.
 */
record RegistrationScenario(Harness h, List<Harness> nodes) {

    RegistrationScenario(Harness h) {
        this(h, List.of(h));
    }

    void run() throws Exception {
        int n = h.settings.integer("registrations", 1000);
        int clients = h.settings.integer("c", 4);
        int warmup = h.settings.integer("warmupRegistrations", 50);
        long signup = h.settings.number("signupCredits", 100_000_000);
        AtomicInteger stale = new AtomicInteger();
        AtomicReference<String> firstStale = new AtomicReference<>();
        Load.ClientTask register = (k, i) -> {
            Api.Account account = nodes.get(k % nodes.size()).api().registerOnAnyNode("reg_" + h.runId + "_" + System.nanoTime() + "_" + i, "Bench User " + i, NodesScenario.CONFLICTS);
            if (account.registered() != null && account.registered().path("account").path("credits").path("available").asLong(-1) != signup) {
                stale.incrementAndGet();
                firstStale.compareAndSet(null, account.username() + " answered " + account.registered());
            }
        };
        Load.Result warm = Load.count(warmup, clients, register);
        if (!warm.failures().isEmpty()) {
            throw new Api.BenchFailure("warm-up registrations failed: " + warm.failures().get(0));
        }
        stale.set(0);
        CpuWatch cpu = h.cpu();
        Load.Result result = Load.count(n, clients, register);
        CpuWatch.Usage usage = cpu.usage();
        if (!result.failures().isEmpty()) {
            h.report.problem("registrations: " + result.failures().size() + " failed, first: " + result.failures().get(0));
        }
        h.report.row(new Report.Row("registrations", String.format(Locale.ROOT, "%d registrations, C=%d", n, clients),
                result.perSecond(), "registrations/s", "register to Registered", result.percentileMillis(0.5),
                result.percentileMillis(0.99), usage.other(), result.succeeded() + " Registered, " + stale.get()
                        + " with a balance other than the signup credits" + (firstStale.get() == null ? ""
                        : " (first: " + firstStale.get() + ")")));
    }
}
