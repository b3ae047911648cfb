package net.kimik2.command.privacy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.kimik2.api.credits.CreditLedgerId;
import net.kimik2.api.payments.EraseStripeCustomerCommand;
import net.kimik2.api.payments.PaymentIds;
import net.kimik2.api.privacy.CompleteErasureCommand;
import net.kimik2.api.privacy.ErasureCertificate;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.api.privacy.PurgeSubjectViewsCommand;
import net.kimik2.api.privacy.ReleaseUniqueKeysCommand;
import net.kimik2.shredding.privacy.DataKeys;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Carries out steps 2-5 of an erasure after its durable request (step 1). Every step is idempotent; the
 * processor's token commits with the completion event, so a crash anywhere re-runs the steps from the start and
 * the erasure completes exactly once. A failing step is retried by the processor until it succeeds.
 */
@Component
@ProcessingGroup("privacy-erasure")
class ErasureProcess {

    private static final Logger log = LoggerFactory.getLogger(ErasureProcess.class);

    private final DataKeys keys;
    private final CommandGateway commands;
    private final EventStore eventStore;
    private final int haltAfterStep;
    private final java.time.Duration pauseBeforeFence;

    ErasureProcess(DataKeys keys, CommandGateway commands, EventStore eventStore,
                   @Value("${kimi.privacy.fault-injection.halt-after-step:0}") int haltAfterStep,
                   @Value("${kimi.privacy.fault-injection.pause-before-fence:PT0S}") java.time.Duration pauseBeforeFence) {
        this.pauseBeforeFence = pauseBeforeFence;
        this.keys = keys;
        this.commands = commands;
        this.eventStore = eventStore;
        this.haltAfterStep = haltAfterStep;
    }

    @EventHandler
    void on(ErasureRequestedEvent event) {
        String userId = event.userId();
        faultInjection(1, event);
        pause();

        // 1b. payments (issue 10): delete the Stripe customer while the stored customer id can still be read
        eraseStripeCustomer(userId);

        // 2. fence: tombstone every scope of the person; encryption for them fails from now on
        Set<String> scopes = new LinkedHashSet<>();
        scopes.add("user:" + userId);
        scopes.addAll(keys.scopesOwnedBy(userId));
        List<String> fingerprints = new ArrayList<>();
        for (String scope : scopes) {
            fingerprints.add(keys.fence(scope, userId, event.requestId()));
        }
        faultInjection(2, event);

        // 3. destroy the keys: every stored personal value of the person is now unreadable, backups included
        scopes.forEach(keys::destroy);
        faultInjection(3, event);

        // 4. purge the views and free the email and username
        Long purged = commands.sendAndWait(new PurgeSubjectViewsCommand(userId, event.requestId()));
        commands.sendAndWait(new ReleaseUniqueKeysCommand(userId));
        faultInjection(4, event);

        // 5. the certificate
        long eventsAffected = eventCount(userId) + eventCount(CreditLedgerId.forUser(userId));
        var certificate = new ErasureCertificate(event.requestId(), userId, List.copyOf(scopes), fingerprints,
                eventsAffected, purged == null ? 0 : purged, event.requestedAt(), Instant.now(), event.actorId(),
                event.legalBasis());
        commands.sendAndWait(new CompleteErasureCommand(userId, certificate));
        log.info("erasure {} of user {} completed: {} scopes shredded", event.requestId(), userId, scopes.size());
    }

    private void eraseStripeCustomer(String userId) {
        try {
            commands.sendAndWait(new EraseStripeCustomerCommand(PaymentIds.billingAccount(userId)));
        } catch (AggregateNotFoundException noBillingAccount) {
            // never started a checkout: nothing at Stripe
        }
    }

    /** Events of one aggregate, from its last sequence number: no scan of the stream. */
    private long eventCount(String aggregateId) {
        return eventStore.lastSequenceNumberFor(aggregateId).map(last -> last + 1).orElse(0L);
    }

    /** Test hook for the dashboard test (issue 12): keeps a request pending long enough to be seen (0 = off). */
    private void pause() {
        if (!pauseBeforeFence.isZero()) {
            try {
                Thread.sleep(pauseBeforeFence.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Test hook for the crash-safety test: stop the JVM dead after the given step (0 = off). */
    private void faultInjection(int step, ErasureRequestedEvent event) {
        if (haltAfterStep == step) {
            log.warn("fault injection: halting after erasure step {} of request {}", step, event.requestId());
            Runtime.getRuntime().halt(137);
        }
    }
}
