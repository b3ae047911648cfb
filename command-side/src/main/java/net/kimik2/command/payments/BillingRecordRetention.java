package net.kimik2.command.payments;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import net.kimik2.api.payments.PaymentFulfilledEvent;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.command.platform.RetentionRule;
import net.kimik2.shredding.privacy.DataKeys;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Retention of billing records (default 10 years, accounting law): after the period a payment's own key
 * ({@code payment:<paymentId>}) is destroyed, so its card brand, last 4 and Stripe reference read as erased in the
 * log and in the billing history alike; amounts, currencies, dates and statuses are not personal and stay.
 */
@Component
@ProcessingGroup("payments-retention")
public class BillingRecordRetention implements RetentionRule {

    private final JdbcTemplate jdbc;
    private final DataKeys keys;
    private final Duration period;

    public BillingRecordRetention(JdbcTemplate jdbc, DataKeys keys,
                                  @Value("${kimi.retention.billing-records:P3650D}") Duration period) {
        this.jdbc = jdbc;
        this.keys = keys;
        this.period = period;
    }

    @EventHandler
    public void on(PaymentFulfilledEvent event) {
        if (jdbc.queryForList("SELECT 1 FROM retention_billing WHERE payment_id = ?", Integer.class, event.paymentId())
                .isEmpty()) {
            jdbc.update("INSERT INTO retention_billing (payment_id, user_id, fulfilled_at) VALUES (?, ?, ?)",
                    event.paymentId(), event.userId(), Timestamp.from(event.fulfilledAt()));
        }
    }

    /** The erasure shreds every payment key of the person (they own them); nothing is left to expire. */
    @EventHandler
    void on(ErasureRequestedEvent event) {
        jdbc.update("DELETE FROM retention_billing WHERE user_id = ?", event.userId());
    }

    @Override
    public String name() {
        return "billingRecords";
    }

    @Override
    public int apply(Instant now, Set<String> heldUserIds) {
        int count = 0;
        for (var row : jdbc.queryForList("SELECT payment_id, user_id FROM retention_billing WHERE fulfilled_at < ?",
                Timestamp.from(now.minus(period)))) {
            String paymentId = (String) row.get("PAYMENT_ID");
            String userId = (String) row.get("USER_ID");
            if (heldUserIds.contains(userId)) {
                continue;
            }
            // fence and destroy are idempotent: a run repeated after a crash before the delete does no harm
            keys.fence("payment:" + paymentId, userId, "retention:" + paymentId);
            keys.destroy("payment:" + paymentId);
            jdbc.update("DELETE FROM retention_billing WHERE payment_id = ?", paymentId);
            count++;
        }
        return count;
    }
}
