package net.kimik2.command.privacy;

import java.sql.Timestamp;
import java.util.List;
import net.kimik2.api.privacy.FindLegalHoldsQuery;
import net.kimik2.api.privacy.LegalHoldPlacedEvent;
import net.kimik2.api.privacy.LegalHoldReleasedEvent;
import net.kimik2.api.privacy.LegalHoldView;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * People under a legal hold, as the retention rules read them. The hold itself is decided by the account (which
 * also refuses erasure while it lasts); its placing and release are events with the admin and the reason (audit).
 * Written by a subscribing processor, so a hold is in force for the sweep once the command is acknowledged.
 */
@Component
@ProcessingGroup("accounts-sessions")
class LegalHolds {

    private final JdbcTemplate jdbc;

    LegalHolds(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(LegalHoldPlacedEvent event) {
        jdbc.update("DELETE FROM legal_hold WHERE user_id = ?", event.userId());
        jdbc.update("INSERT INTO legal_hold (user_id, placed_by, placed_at) VALUES (?, ?, ?)",
                event.userId(), event.placedBy(), Timestamp.from(event.placedAt()));
    }

    @EventHandler
    void on(LegalHoldReleasedEvent event) {
        jdbc.update("DELETE FROM legal_hold WHERE user_id = ?", event.userId());
    }

    /** The holds in force, for the admin dashboard. */
    @QueryHandler
    List<LegalHoldView> handle(FindLegalHoldsQuery query) {
        return jdbc.query("SELECT user_id, placed_by, placed_at FROM legal_hold ORDER BY placed_at DESC LIMIT ?",
                (rs, i) -> new LegalHoldView(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()),
                Math.max(1, Math.min(query.limit(), 500)));
    }

    List<String> heldUserIds() {
        return jdbc.queryForList("SELECT user_id FROM legal_hold", String.class);
    }
}
