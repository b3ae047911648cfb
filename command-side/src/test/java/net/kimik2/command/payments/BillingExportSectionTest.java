package net.kimik2.command.payments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.StringWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import net.kimik2.api.payments.DisputeStatus;
import net.kimik2.api.payments.PaymentDisputeRecordedEvent;
import net.kimik2.api.payments.PaymentFulfilledEvent;
import net.kimik2.api.payments.PaymentIds;
import net.kimik2.api.payments.PaymentKind;
import net.kimik2.api.payments.PaymentRefundRecordedEvent;
import net.kimik2.api.payments.StripeCustomerCreatedEvent;
import net.kimik2.api.payments.SubscriptionStartedEvent;
import net.kimik2.command.platform.ExportSummary;
import net.kimik2.command.testsupport.H2;
import net.kimik2.shredding.privacy.DataKeys;
import net.kimik2.shredding.privacy.EncryptingSerializer;
import net.kimik2.shredding.privacy.FieldCipher;
import net.kimik2.shredding.privacy.KeyVault;
import net.kimik2.shredding.privacy.LocalKeyEncryptionService;
import net.kimik2.shredding.privacy.PersonalDataProtector;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;

/**
 * The billing part of a data export on real stores: the H2 event store with the encrypting serializer (so the card
 * is stored encrypted under the payment's key and decrypted on the way out) and the real key vault.
 */
class BillingExportSectionTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final LocalKeyEncryptionService kes = new LocalKeyEncryptionService(List.of(randomKek()));
    private final DataKeys keys = new DataKeys(new KeyVault("jdbc:h2:mem:vault-" + UUID.randomUUID()
            + ";DB_CLOSE_DELAY=-1", null, null, kes), kes, new SimpleMeterRegistry(), 100, Duration.ofMinutes(5));
    private final EmbeddedEventStore events = eventStore(H2.newDatabase());
    private final BillingExportSection section = new BillingExportSection(events, keys);

    private EmbeddedEventStore eventStore(DataSource db) {
        ObjectMapper mapper = new ObjectMapper().findAndRegisterModules();
        var serializer = new EncryptingSerializer(JacksonSerializer.builder().objectMapper(mapper).build(),
                new PersonalDataProtector(new FieldCipher(keys, new SimpleMeterRegistry()), mapper));
        JdbcEventStorageEngine engine = JdbcEventStorageEngine.builder()
                .connectionProvider(db::getConnection)
                .transactionManager(NoTransactionManager.INSTANCE)
                .eventSerializer(serializer).snapshotSerializer(serializer)
                .lowestGlobalSequence(1)
                .build();
        // the event tables come from the production Flyway scripts (H2.newDatabase)
        return EmbeddedEventStore.builder().storageEngine(engine).build();
    }

    private void append(String type, String aggregateId, long sequence, Object payload) {
        events.publish(new GenericDomainEventMessage<>(type, aggregateId, sequence, payload));
    }

    private void purchase(String userId, String intent, long amount, String currency, String last4) {
        String paymentId = PaymentIds.payment(intent);
        append("StripePayment", paymentId, 0, new PaymentFulfilledEvent(paymentId, userId, PaymentKind.PACK, "pack-5",
                paymentId, 5_000, amount, currency, null, "cs_" + intent, "visa", last4, T0));
    }

    private void history() {
        String billing = PaymentIds.billingAccount("alice");
        append("BillingAccount", billing, 0, new StripeCustomerCreatedEvent(billing, "alice", "cus_alice", T0));
        append("BillingAccount", billing, 1, new SubscriptionStartedEvent(billing, "alice", "sub_alice", "plan-pro", T0));
        purchase("alice", "pi_a1", 1999, "eur", "4242");
        purchase("alice", "pi_a2", 500, "usd", "4242");
        String refunded = PaymentIds.payment("pi_a1");
        append("StripePayment", refunded, 1, new PaymentRefundRecordedEvent(refunded, 500, 1999, "eur", T0));
        append("StripePayment", refunded, 2, new PaymentRefundRecordedEvent(refunded, 1000, 1999, "eur", T0));
        append("StripePayment", refunded, 3, new PaymentDisputeRecordedEvent(refunded, "dp_1", 999,
                DisputeStatus.OPEN, T0));
        purchase("bob", "pi_b1", 7777, "eur", "1111");
    }

    private JsonNode export(String userId, ExportSummary summary) throws Exception {
        StringWriter out = new StringWriter();
        ObjectMapper mapper = new ObjectMapper();
        try (JsonGenerator json = mapper.getFactory().createGenerator(out)) {
            section.write(userId, json, summary);
        }
        return mapper.readTree(out.toString());
    }

    @Test
    void holdsThePersonsBillingAccountAndPaymentsWithCardAndAmountsAndNothingOfAnother() throws Exception {
        history();
        ExportSummary summary = new ExportSummary();
        JsonNode billing = export("alice", summary);

        assertThat(billing.get("account")).hasSize(2);
        assertThat(billing.get("account").get(0).at("/data/customerId").asText()).isEqualTo("cus_alice");
        assertThat(billing.get("account").get(1).at("/data/subscriptionId").asText()).isEqualTo("sub_alice");
        JsonNode payments = billing.get("payments");
        assertThat(payments).hasSize(2);
        JsonNode first = payments.get(0);
        assertThat(first.get("paymentId").asText()).isEqualTo("payment-pi_a1");
        assertThat(first.get("shredded").asBoolean()).isFalse();
        assertThat(first.get("events")).hasSize(4);
        JsonNode fulfilled = first.get("events").get(0);
        assertThat(fulfilled.get("type").asText()).isEqualTo("PaymentFulfilledEvent");
        assertThat(fulfilled.at("/data/cardLast4").asText()).isEqualTo("4242");
        assertThat(fulfilled.at("/data/cardBrand").asText()).isEqualTo("visa");
        assertThat(fulfilled.at("/data/amountMinor").asLong()).isEqualTo(1999);
        assertThat(fulfilled.at("/data/currency").asText()).isEqualTo("eur");
        assertThat(first.get("events").get(3).at("/data/status").asText()).isEqualTo("OPEN");
        assertThat(billing.toString()).doesNotContain("bob", "1111", "7777", "pi_b1");

        String rendered = summary.render("Export");
        assertThat(rendered).contains("Paid (eur, minor units): 1999", "Paid (usd, minor units): 500",
                "Refunded (eur, minor units): 1000", "payments: 2", "billing account events: 2", "payment events: 5");
    }

    @Test
    void aPaymentShreddedByRetentionKeepsItsAmountsWithoutTheCard() throws Exception {
        history();
        keys.fence("payment:payment-pi_a1", "alice", "retention:payment-pi_a1");
        keys.destroy("payment:payment-pi_a1");

        JsonNode payments = export("alice", new ExportSummary()).get("payments");
        JsonNode shredded = payments.get(0);
        assertThat(shredded.get("shredded").asBoolean()).isTrue();
        JsonNode fulfilled = shredded.get("events").get(0).get("data");
        assertThat(fulfilled.get("cardLast4").asText()).isNotEqualTo("4242");
        assertThat(fulfilled.get("stripeReference").asText()).doesNotContain("pi_a1");
        assertThat(fulfilled.get("amountMinor").asLong()).isEqualTo(1999);
        assertThat(payments.get(1).at("/events/0/data/cardLast4").asText()).as("the other payment").isEqualTo("4242");
    }

    private static String randomKek() {
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        return Base64.getEncoder().encodeToString(kek);
    }
}
