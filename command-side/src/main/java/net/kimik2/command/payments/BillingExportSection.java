package net.kimik2.command.payments;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import net.kimik2.api.payments.PaymentFulfilledEvent;
import net.kimik2.api.payments.PaymentIds;
import net.kimik2.api.payments.PaymentRefundRecordedEvent;
import net.kimik2.command.platform.EventStreamExport;
import net.kimik2.command.platform.ExportSection;
import net.kimik2.command.platform.ExportSummary;
import net.kimik2.shredding.privacy.DataKeys;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.stereotype.Component;

/**
 * The person's billing records: their billing account (Stripe customer, plans, subscription events) and every
 * payment (purchases and subscription periods with amount, currency, date, card brand and last 4; refunds and
 * disputes), decrypted by the serializer on the way. The payments are found through their keys, which the person
 * owns ({@code payment:<paymentId>}), so nobody else's payments are ever read; a payment shredded by the billing
 * records retention shows its amounts with the card as erased. One event at a time: memory stays bounded.
 */
@Component
class BillingExportSection implements ExportSection {

    private static final String PAYMENT_SCOPE = "payment:";

    private final EventStore events;
    private final DataKeys keys;

    BillingExportSection(EventStore events, DataKeys keys) {
        this.events = events;
        this.keys = keys;
    }

    @Override
    public String name() {
        return "billing";
    }

    @Override
    public void write(String userId, JsonGenerator json, ExportSummary summary) throws IOException {
        json.writeStartObject();
        json.writeFieldName("account");
        summary.count("billing account events", EventStreamExport.write(events, PaymentIds.billingAccount(userId), json, (payload, tree) -> { }));
        Map<String, Long> paid = new TreeMap<>();
        Map<String, Long> refunded = new TreeMap<>();
        json.writeArrayFieldStart("payments");
        for (String scope : keys.scopesOwnedBy(userId)) {
            if (!scope.startsWith(PAYMENT_SCOPE)) {
                continue;
            }
            String paymentId = scope.substring(PAYMENT_SCOPE.length());
            json.writeStartObject();
            json.writeStringField("paymentId", paymentId);
            json.writeBooleanField("shredded", keys.isErased(scope));
            json.writeFieldName("events");
            long[] refundedHere = {0};
            String[] refundCurrency = {null};
            summary.count("payment events", EventStreamExport.write(events, paymentId, json, (payload, tree) -> {
                if (payload instanceof PaymentFulfilledEvent p) {
                    paid.merge(p.currency(), p.amountMinor(), Math::addExact);
                } else if (payload instanceof PaymentRefundRecordedEvent r) {
                    // each refund record carries the refunded total so far: the last one counts
                    refundedHere[0] = r.amountRefunded();
                    refundCurrency[0] = r.currency();
                }
            }));
            if (refundCurrency[0] != null) {
                refunded.merge(refundCurrency[0], refundedHere[0], Math::addExact);
            }
            summary.count("payments", 1);
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
        paid.forEach((currency, minor) -> summary.line("Paid (" + currency + ", minor units): " + minor));
        refunded.forEach((currency, minor) -> summary.line("Refunded (" + currency + ", minor units): " + minor));
    }
}
