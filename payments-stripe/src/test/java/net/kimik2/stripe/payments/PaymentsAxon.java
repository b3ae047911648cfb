package net.kimik2.stripe.payments;

import java.lang.reflect.Constructor;
import net.kimik2.command.payments.PaymentsCatalogue;
import net.kimik2.testsupport.payments.StripeStub;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.Configuration;
import org.axonframework.config.Configurer;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.SimpleDeadlineManager;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.messaging.deadletter.InMemorySequencedDeadLetterQueue;

/**
 * The payments path on an in-memory Axon configuration: the real aggregates ({@code CreditLedger},
 * {@code StripePayment}, {@code BillingAccount}, {@code StripeEventInbox}), the real ledger policy and the real
 * webhook controller and processor (stripe-java against the stub). Handlers run in subscribing processors, so a
 * webhook call returns once everything it caused is done. The Stripe processor has an in-memory dead-letter queue:
 * a failure shows up there instead of being lost.
 */
final class PaymentsAxon implements AutoCloseable {

    private final Configuration configuration;
    private final StripeWebhookController webhook;
    private final InMemorySequencedDeadLetterQueue<org.axonframework.eventhandling.EventMessage<?>> deadLetters =
            InMemorySequencedDeadLetterQueue.defaultQueue();

    PaymentsAxon(StripeStub stub) throws Exception {
        StripeSettings settings = new StripeSettings("sk_test_local", StripeStub.TEST_SECRET, stub.baseUrl(),
                "http://localhost/success", "http://localhost/cancel");
        StripeApi stripe = new StripeApi(settings);
        PaymentsCatalogue catalogue = new PaymentsCatalogue(java.util.List.of(), java.util.List.of());
        Configurer configurer = DefaultConfigurer.defaultConfiguration(false)
                .configureEmbeddedEventStore(c -> new InMemoryEventStorageEngine())
                .registerComponent(DeadlineManager.class, c -> SimpleDeadlineManager.builder()
                        .scopeAwareProvider(c.scopeAwareProvider()).build())
                .registerComponent(net.kimik2.command.payments.StripeGateway.class, c -> stripe)
                .registerComponent(PaymentsCatalogue.class, c -> catalogue);
        for (String aggregate : new String[] {"net.kimik2.command.credits.CreditLedger",
                "net.kimik2.command.payments.StripePayment", "net.kimik2.command.payments.BillingAccount",
                "net.kimik2.command.payments.StripeEventInbox"}) {
            configurer.configureAggregate(Class.forName(aggregate));
        }
        configurer.eventProcessing(processing -> processing
                .usingSubscribingEventProcessors()
                .registerEventHandler(c -> newInstance("net.kimik2.command.payments.PaymentsLedgerPolicy",
                        c.commandGateway()))
                .registerEventHandler(c -> new StripeEventProcessor(stripe, c.commandGateway()))
                .registerDeadLetterQueue(StripeEventProcessor.GROUP, c -> deadLetters));
        configuration = configurer.buildConfiguration();
        configuration.start();
        webhook = new StripeWebhookController(settings, configuration.commandGateway());
    }

    private static Object newInstance(String className, CommandGateway commands) {
        try {
            Constructor<?> constructor = Class.forName(className).getDeclaredConstructor(CommandGateway.class);
            constructor.setAccessible(true);
            return constructor.newInstance(commands);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    CommandGateway commands() {
        return configuration.commandGateway();
    }

    Configuration configuration() {
        return configuration;
    }

    int webhook(byte[] body, String signature) {
        return webhook.receive(body, signature).getStatusCode().value();
    }

    long deadLetters() {
        return deadLetters.size();
    }

    /** What is parked, with its cause, for an assertion's description. */
    String deadLetterCauses() {
        StringBuilder causes = new StringBuilder();
        deadLetters.deadLetters().forEach(sequence -> sequence.forEach(letter -> causes.append(letter.message()
                .getPayload()).append(" -> ").append(letter.cause().map(c -> c.type() + ": " + c.message())
                .orElse("?")).append('\n')));
        return causes.toString();
    }

    @Override
    public void close() {
        configuration.shutdown();
    }
}
