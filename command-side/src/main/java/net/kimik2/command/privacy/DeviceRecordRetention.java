package net.kimik2.command.privacy;

import net.kimik2.command.platform.RetentionRule;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import net.kimik2.api.accounts.DeviceRecordedEvent;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.shredding.privacy.DataKeys;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Retention of device records (device type, OS, browser, IP of a login): after the period (default 90 days) the
 * record's own key ({@code device:<sessionId>}) is destroyed, in the log and in the session list alike.
 */
@Component
@ProcessingGroup("privacy-retention")
class DeviceRecordRetention implements RetentionRule {

    private final JdbcTemplate jdbc;
    private final DataKeys keys;
    private final Duration period;

    DeviceRecordRetention(JdbcTemplate jdbc, DataKeys keys, @Value("${kimi.retention.device-records:P90D}") Duration period) {
        this.jdbc = jdbc;
        this.keys = keys;
        this.period = period;
    }

    @EventHandler
    void on(DeviceRecordedEvent event) {
        if (jdbc.queryForList("SELECT 1 FROM retention_device WHERE session_id = ?", Integer.class, event.sessionId())
                .isEmpty()) {
            jdbc.update("INSERT INTO retention_device (session_id, user_id, recorded_at) VALUES (?, ?, ?)",
                    event.sessionId(), event.userId(), Timestamp.from(event.recordedAt()));
        }
    }

    @EventHandler
    void on(ErasureRequestedEvent event) {
        jdbc.update("DELETE FROM retention_device WHERE user_id = ?", event.userId());
    }

    @Override
    public String name() {
        return "deviceRecords";
    }

    @Override
    public int apply(Instant now, Set<String> heldUserIds) {
        int count = 0;
        for (var row : jdbc.queryForList("SELECT session_id, user_id FROM retention_device WHERE recorded_at < ?",
                Timestamp.from(now.minus(period)))) {
            String sessionId = (String) row.get("SESSION_ID");
            String userId = (String) row.get("USER_ID");
            if (heldUserIds.contains(userId)) {
                continue;
            }
            keys.fence("device:" + sessionId, userId, "retention:" + sessionId);
            keys.destroy("device:" + sessionId);
            jdbc.update("DELETE FROM retention_device WHERE session_id = ?", sessionId);
            count++;
        }
        return count;
    }
}
