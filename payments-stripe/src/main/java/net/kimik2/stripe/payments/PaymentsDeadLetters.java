package net.kimik2.stripe.payments;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import net.kimik2.api.payments.FindPaymentDeadLettersQuery;
import net.kimik2.api.payments.PaymentDeadLetterView;
import net.kimik2.api.payments.RetryPaymentDeadLettersCommand;
import net.kimik2.api.payments.StripeEventReceivedEvent;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.deadletter.jdbc.JdbcSequencedDeadLetterQueue;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.deadletter.DeadLetter;
import org.axonframework.messaging.deadletter.Decisions;
import org.axonframework.messaging.deadletter.EnqueuePolicy;
import org.axonframework.messaging.deadletter.SequencedDeadLetterProcessor;
import org.axonframework.messaging.deadletter.SequencedDeadLetterQueue;
import org.axonframework.queryhandling.QueryHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.stereotype.Component;

/**
 * The dead-letter queue of {@link StripeEventProcessor}: Axon's JDBC queue in the event store's database, so a
 * failed event is parked durably instead of blocking or being skipped. Parked events are retried in the background
 * with doubling back-off (up to {@code kimi.payments.dead-letters.max-retries}, then they wait for an admin), and an
 * admin can list them and retry them at once.
 */
@Component
class PaymentsDeadLetters implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PaymentsDeadLetters.class);
    private static final String RETRIES = "retries";

    private final Configuration axon;
    private final Duration firstBackoff;
    private final int maxRetries;
    private ScheduledExecutorService retrier;

    PaymentsDeadLetters(Configuration axon,
                        @Value("${kimi.payments.dead-letters.first-backoff:PT10S}") Duration firstBackoff,
                        @Value("${kimi.payments.dead-letters.max-retries:8}") int maxRetries) {
        this.axon = axon;
        this.firstBackoff = firstBackoff;
        this.maxRetries = maxRetries;
    }

    @Bean
    static ConfigurerModule paymentsDeadLetterQueue() {
        return configurer -> configurer.eventProcessing(processing -> processing
                .registerDeadLetterQueue(StripeEventProcessor.GROUP, c -> {
                    JdbcSequencedDeadLetterQueue<EventMessage<?>> queue =
                            JdbcSequencedDeadLetterQueue.builder()
                                    .processingGroup(StripeEventProcessor.GROUP)
                                    .connectionProvider(c.getComponent(ConnectionProvider.class))
                                    .transactionManager(c.getComponent(TransactionManager.class))
                                    .genericSerializer(c.serializer())
                                    .eventSerializer(c.eventSerializer())
                                    .build();
                    // its table (DeadLetterEntry) is created by the events database's Flyway scripts (ADR 0024)
                    return queue;
                })
                .registerDeadLetterPolicy(StripeEventProcessor.GROUP, c -> countRetries()));
    }

    /** Every failure parks (or re-parks) the event and counts the attempt; nothing is ever dropped. */
    private static EnqueuePolicy<EventMessage<?>> countRetries() {
        return (letter, cause) -> Decisions.requeue(cause, l -> l.diagnostics().and(RETRIES, retries(l) + 1));
    }

    private static int retries(DeadLetter<?> letter) {
        Object value = letter.diagnostics().get(RETRIES);
        return value instanceof Number n ? n.intValue() : 0;
    }

    private SequencedDeadLetterQueue<EventMessage<?>> queue() {
        return axon.eventProcessingConfiguration().deadLetterQueue(StripeEventProcessor.GROUP)
                .orElseThrow(() -> new IllegalStateException("no dead-letter queue for " + StripeEventProcessor.GROUP));
    }

    private SequencedDeadLetterProcessor<EventMessage<?>> processor() {
        EventProcessingConfiguration processing = axon.eventProcessingConfiguration();
        return processing.sequencedDeadLetterProcessor(StripeEventProcessor.GROUP)
                .orElseThrow(() -> new IllegalStateException("no dead-letter processor"));
    }

    @QueryHandler
    List<PaymentDeadLetterView> handle(FindPaymentDeadLettersQuery query) {
        List<PaymentDeadLetterView> views = new ArrayList<>();
        for (Iterable<DeadLetter<? extends EventMessage<?>>> sequence : queue().deadLetters()) {
            for (DeadLetter<? extends EventMessage<?>> letter : sequence) {
                views.add(view(letter));
            }
        }
        return views;
    }

    @CommandHandler
    int handle(RetryPaymentDeadLettersCommand command) {
        Predicate<DeadLetter<? extends EventMessage<?>>> which = command.eventId() == null ? l -> true
                : l -> l.message().getPayload() instanceof StripeEventReceivedEvent e
                        && e.eventId().equals(command.eventId());
        return retry(which);
    }

    private int retry(Predicate<DeadLetter<? extends EventMessage<?>>> which) {
        long before = queue().size();
        SequencedDeadLetterProcessor<EventMessage<?>> processor = processor();
        // each call processes one sequence; a sequence is one Stripe event (the inbox id)
        for (int i = 0; i < before && processor.process(which); i++) {
            // keep going while sequences succeed
        }
        return (int) Math.max(0, before - queue().size());
    }

    /** Background retries: a letter is due when its back-off (doubling per attempt) has passed. */
    void retryDue() {
        Instant now = Instant.now();
        try {
            retry(letter -> {
                int retries = retries(letter);
                if (retries >= maxRetries) {
                    return false;
                }
                Duration backoff = firstBackoff.multipliedBy(1L << Math.min(retries, 16));
                return letter.lastTouched().plus(backoff).isBefore(now);
            });
        } catch (RuntimeException e) {
            log.warn("retrying payments dead letters failed: {}", e.getClass().getSimpleName());
        }
    }

    private static PaymentDeadLetterView view(DeadLetter<? extends EventMessage<?>> letter) {
        String eventId = null;
        String type = null;
        String objectId = null;
        if (letter.message().getPayload() instanceof StripeEventReceivedEvent e) {
            eventId = e.eventId();
            type = e.type();
            objectId = e.objectId();
        }
        String cause = letter.cause().map(c -> c.type().substring(c.type().lastIndexOf('.') + 1))
                .orElse(null);
        return new PaymentDeadLetterView(eventId, type, objectId, cause, retries(letter), letter.enqueuedAt(),
                letter.lastTouched());
    }

    @Override
    public void start() {
        retrier = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "payments-dead-letters");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, firstBackoff.toMillis());
        retrier.scheduleWithFixedDelay(this::retryDue, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (retrier != null) {
            retrier.shutdownNow();
            retrier = null;
        }
    }

    @Override
    public boolean isRunning() {
        return retrier != null;
    }
}
