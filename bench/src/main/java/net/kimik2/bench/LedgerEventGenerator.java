package net.kimik2.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import net.kimik2.api.credits.CreditLedgerId;
import net.kimik2.api.credits.CreditsGrantedEvent;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.MetaData;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Appends admin credit grants to users' ledgers fast, for the erasure bench: {@code grantCredits} over GraphQL
 * re-sources the whole (snapshot-less) ledger per command, so 100,000 grants would take days.
 *
 * <p>Runs while the service is stopped, in its own JVM with the service jar's classes (Spring Boot's
 * PropertiesLauncher, {@code loader.main} = this class), and boots the service's own application context on the same
 * {@code KIMI_DATA_DIR} (web server on an ephemeral loopback port, never called). It appends through that context's
 * Axon {@link EventStore}, i.e. the production storage engine and serializer chain (EncryptingSerializer around Jackson),
 * so the rows are what the service itself would store. Each event is the {@link CreditsGrantedEvent} that
 * {@code CreditLedger} applies for an admin {@code grantCredits} (grant id {@code admin-<key>}, source
 * {@code admin:<reason>}, default priority, no expiry), as a domain event of the ledger's aggregate type with the next
 * aggregate sequence numbers, and with the metadata of the user's last real grant (actor id and role) plus fresh
 * correlation and trace ids per synthetic command. The template grant must exist: the bench makes one real grant per
 * user over GraphQL before it stops the service.
 *
 * <p>The streaming (view and policy) processors of this context are shut down before the first append, so the
 * service builds its views from these events after the restart, as it would for live grants. CreditsGrantedEvent
 * carries no personal data, so the serializer takes its plain path for it (as in the service).
 *
 * <p>Arguments: {@code userId=count ...}; system property {@code bench.batch} (events per append transaction, 1000).
 */
public final class LedgerEventGenerator {

    private static final int DEFAULT_PRIORITY = 50; // CreditLedger.DEFAULT_PRIORITY for a grant without priority

    private LedgerEventGenerator() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            counts.put(a.substring(0, eq), Integer.parseInt(a.substring(eq + 1)));
        }
        int batch = Integer.getInteger("bench.batch", 1000);
        System.setProperty("axoniq.update-checker.disabled", "true");
        long t0 = System.nanoTime();
        Class<?> app = Class.forName("net.kimik2.app.KimiBackendApplication");
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(app)
                .properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off")
                .run()) {
            System.out.printf(Locale.ROOT, "generator: context up after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            ctx.getBean(EventProcessingConfiguration.class).eventProcessors().values().stream()
                    .filter(StreamingEventProcessor.class::isInstance)
                    .forEach(p -> p.shutdownAsync().join());
            EventStore store = ctx.getBean(EventStore.class);
            long total = 0;
            long t1 = System.nanoTime();
            long busy0 = machineBusyTicks();
            long cpu0 = ownCpuNanos();
            for (var e : counts.entrySet()) {
                total += append(store, e.getKey(), e.getValue(), batch);
            }
            double secs = (System.nanoTime() - t1) / 1e9;
            double own = (ownCpuNanos() - cpu0) / 1e9;
            double other = Math.max(0, (machineBusyTicks() - busy0) / 100.0 - own);
            // the last line is the summary the bench quotes
            System.out.printf(Locale.ROOT, "generator: appended %d events in %.1f s (%.0f events/s; %.2f cores generator, "
                    + "%.2f cores other processes)%n", total, secs, total / secs, own / secs, other / secs);
        }
    }

    private static long append(EventStore store, String userId, int count, int batch) {
        String ledgerId = CreditLedgerId.forUser(userId);
        DomainEventMessage<?> template = null;
        long lastSeq = -1;
        DomainEventStream stream = store.readEvents(ledgerId);
        while (stream.hasNext()) {
            DomainEventMessage<?> m = stream.next();
            lastSeq = m.getSequenceNumber();
            if (m.getPayload() instanceof CreditsGrantedEvent g && g.grantId().startsWith("admin-")) {
                template = m;
            }
        }
        if (template == null) {
            throw new IllegalStateException("ledger of " + userId + " has no admin grant to copy the shape of");
        }
        CreditsGrantedEvent shape = (CreditsGrantedEvent) template.getPayload();
        Map<String, Object> keep = new HashMap<>(template.getMetaData());
        keep.remove("correlationId");
        keep.remove("traceId");
        String aggregateType = template.getType();
        List<EventMessage<?>> chunk = new ArrayList<>(batch);
        long seq = lastSeq;
        for (int i = 0; i < count; i++) {
            String commandId = UUID.randomUUID().toString(); // the grantCredits command this grant stands for
            var payload = new CreditsGrantedEvent(ledgerId, userId, "admin-" + userId + "-gen-" + i, shape.amount(),
                    shape.type(), shape.source(), DEFAULT_PRIORITY, Instant.now(), null);
            MetaData metaData = MetaData.from(keep).and("correlationId", commandId).and("traceId", commandId);
            chunk.add(new GenericDomainEventMessage<>(aggregateType, ledgerId, ++seq, payload, metaData));
            if (chunk.size() == batch) {
                store.publish(chunk);
                chunk = new ArrayList<>(batch);
            }
        }
        if (!chunk.isEmpty()) {
            store.publish(chunk);
        }
        // what the store now holds: the real template and the last generated event must look alike (no values printed)
        DomainEventMessage<?> last = null;
        DomainEventStream check = store.readEvents(ledgerId, seq);
        while (check.hasNext()) {
            last = check.next();
        }
        if (last == null || last.getSequenceNumber() != seq || !last.getPayload().getClass().equals(shape.getClass())) {
            throw new IllegalStateException("read back of " + ledgerId + " failed at sequence " + seq);
        }
        System.out.printf(Locale.ROOT, "generator: %s: %d events appended, aggregate sequence %d..%d; real grant: type %s,"
                + " metadata keys %s; generated: type %s, metadata keys %s%n", ledgerId, count, lastSeq + 1, seq,
                aggregateType, new java.util.TreeSet<>(template.getMetaData().keySet()), last.getType(),
                new java.util.TreeSet<>(last.getMetaData().keySet()));
        return count;
    }

    /** Busy ticks (1/100 s) of all CPUs from /proc/stat; 0 where there is none. */
    private static long machineBusyTicks() {
        try {
            String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
            return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]) + Long.parseLong(f[8]);
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
