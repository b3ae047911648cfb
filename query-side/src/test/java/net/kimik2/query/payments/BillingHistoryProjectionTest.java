package net.kimik2.query.payments;

import static net.kimik2.query.platform.ProjectionHarness.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import net.kimik2.api.payments.BillingEntryView;
import net.kimik2.api.payments.BillingPage;
import net.kimik2.api.payments.FindBillingHistoryQuery;
import net.kimik2.api.payments.PaymentClawedBackEvent;
import net.kimik2.api.payments.PaymentDisputeHeldEvent;
import net.kimik2.api.payments.PaymentDisputeLostEvent;
import net.kimik2.api.payments.PaymentFulfilledEvent;
import net.kimik2.api.payments.PaymentKind;
import net.kimik2.api.platform.PageRequest;
import net.kimik2.query.platform.ProjectionHarness;
import net.kimik2.shredding.privacy.DataKeys;
import net.kimik2.shredding.privacy.FieldCipher;
import net.kimik2.shredding.privacy.KeyVault;
import net.kimik2.shredding.privacy.LocalKeyEncryptionService;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.query.Query;

class BillingHistoryProjectionTest {

    private static final Instant T0 = Instant.parse("2026-07-01T10:00:00Z");
    private static final String PAY = "payment-pi_1";

    private final LocalKeyEncryptionService kes = new LocalKeyEncryptionService(List.of(randomKek()));
    private final KeyVault vault = new KeyVault("jdbc:h2:mem:vault-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
            null, null, kes);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final DataKeys keys = new DataKeys(vault, kes, meters, 100, Duration.ofMinutes(5));
    private final FieldCipher cipher = new FieldCipher(keys, meters);
    private final ProjectionHarness harness = new ProjectionHarness(
            (mongo, emitter) -> List.of(new BillingHistoryProjection(mongo, cipher)));

    @AfterEach
    void tearDown() {
        harness.close();
        vault.destroy();
    }

    private static String randomKek() {
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        return Base64.getEncoder().encodeToString(kek);
    }

    private void history() {
        harness.deliver(
                event(PAY, 0, new PaymentFulfilledEvent(PAY, "u-1", PaymentKind.PACK, "pack-5", PAY, 5_000_000, 500,
                        "usd", null, "cs_1", "visa", "4242", T0), T0),
                event(PAY, 1, new PaymentClawedBackEvent(PAY, "u-1", PAY, PAY + ":refund:1000000", 1_000_000, 100,
                        "usd", T0.plusSeconds(60)), T0.plusSeconds(60)),
                event(PAY, 2, new PaymentDisputeHeldEvent(PAY, "u-1", "dp_1", PAY, PAY + ":dispute:dp_1", 2_000_000,
                        200, "usd", T0.plusSeconds(120)), T0.plusSeconds(120)),
                event(PAY, 3, new PaymentDisputeLostEvent(PAY, "u-1", "dp_1", PAY, PAY + ":dispute:dp_1",
                        PAY + ":dispute-lost:dp_1", 2_000_000, 200, "usd", T0.plusSeconds(180)), T0.plusSeconds(180)));
    }

    private BillingPage page(int first, String after) {
        return harness.query(new FindBillingHistoryQuery("u-1", new PageRequest(first, after)),
                ResponseTypes.instanceOf(BillingPage.class));
    }

    @Test
    void purchaseRefundAndDisputeNewestFirstWithTheCardEncryptedAtRest() {
        history();
        BillingPage first = page(2, null);
        assertThat(first.entries()).extracting(BillingEntryView::kind).containsExactly("dispute", "refund");
        assertThat(first.entries().get(0).status()).isEqualTo("lost");
        assertThat(first.entries().get(0).credits()).isEqualTo(-2_000_000);
        assertThat(first.entries().get(0).createdAt()).as("the dispute's opening date").isEqualTo(
                T0.plusSeconds(120));
        assertThat(first.hasNextPage()).isTrue();
        BillingPage second = page(2, first.endCursor());
        assertThat(second.entries()).hasSize(1);
        BillingEntryView purchase = second.entries().get(0);
        assertThat(purchase.kind()).isEqualTo("purchase");
        assertThat(purchase.amountCents()).isEqualTo(500);
        assertThat(purchase.cardBrand()).isEqualTo("visa");
        assertThat(purchase.cardLast4()).isEqualTo("4242");
        Document stored = harness.mongo.findOne(Query.query(org.springframework.data.mongodb.core.query.Criteria
                .where("_id").is(PAY)), Document.class, BillingHistoryProjection.COLLECTION);
        assertThat(stored.getString("cardLast4")).startsWith(FieldCipher.PREFIX).doesNotContain("4242");
    }

    @Test
    void aRedeliveredBatchChangesNothing() {
        history();
        history();
        assertThat(page(10, null).entries()).hasSize(3);
    }

    @Test
    void afterErasureAmountsStayAndTheCardCannotBeRead() {
        history();
        // as the erasure process does: the person's key and every key they own (each payment's)
        List<String> scopes = new java.util.ArrayList<>(keys.scopesOwnedBy("u-1"));
        scopes.add("user:u-1");
        scopes.forEach(scope -> keys.fence(scope, "u-1", "r-1"));
        scopes.forEach(keys::destroy);
        BillingEntryView purchase = page(10, null).entries().get(2);
        assertThat(purchase.amountCents()).isEqualTo(500);
        assertThat(purchase.cardBrand()).isNull();
        assertThat(purchase.cardLast4()).isNull();
    }
}
