package net.kimik2.command.accounts;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Set;
import net.kimik2.command.platform.RetentionRule;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Retention of sessions: a session's row goes once it has expired or been ended (nothing is kept past that). */
@Component
public class SessionRetention implements RetentionRule {

    private final JdbcTemplate jdbc;

    public SessionRetention(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String name() {
        return "sessions";
    }

    @Override
    public int apply(Instant now, Set<String> heldUserIds) {
        int count = 0;
        for (var row : jdbc.queryForList("SELECT session_id, user_id FROM account_session WHERE expires_at <= ? "
                + "OR revoked_at IS NOT NULL", Timestamp.from(now))) {
            if (!heldUserIds.contains((String) row.get("USER_ID"))) {
                count += jdbc.update("DELETE FROM account_session WHERE session_id = ?", row.get("SESSION_ID"));
            }
        }
        return count;
    }
}
