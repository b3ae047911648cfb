package net.kimik2.command.privacy;

import net.kimik2.command.platform.RetentionRule;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import net.kimik2.api.conversations.AnswerRecordedEvent;
import net.kimik2.api.conversations.ConversationDeletedEvent;
import net.kimik2.api.conversations.ConversationStartedEvent;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.shredding.privacy.DataKeys;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Retention of conversations: one inactive for longer than the period (default 365 days) is shredded, its
 * per-conversation key destroyed as a deletion would. Last activity per conversation is tracked from the log.
 */
@Component
@ProcessingGroup("privacy-retention")
class ConversationRetention implements RetentionRule {

    private final JdbcTemplate jdbc;
    private final DataKeys keys;
    private final Duration inactivity;

    ConversationRetention(JdbcTemplate jdbc, DataKeys keys,
                          @Value("${kimi.retention.conversation-inactivity:P365D}") Duration inactivity) {
        this.jdbc = jdbc;
        this.keys = keys;
        this.inactivity = inactivity;
    }

    @EventHandler
    void on(ConversationStartedEvent event) {
        active(event.conversationId(), event.userId(), event.startedAt());
    }

    @EventHandler
    void on(PromptSubmittedEvent event) {
        active(event.conversationId(), event.userId(), event.submittedAt());
    }

    @EventHandler
    void on(AnswerRecordedEvent event) {
        active(event.conversationId(), event.userId(), event.answeredAt());
    }

    @EventHandler
    void on(ConversationDeletedEvent event) {
        jdbc.update("DELETE FROM retention_conversation WHERE conversation_id = ?", event.conversationId());
    }

    @EventHandler
    void on(ErasureRequestedEvent event) {
        jdbc.update("DELETE FROM retention_conversation WHERE user_id = ?", event.userId());
    }

    private void active(String conversationId, String userId, Instant at) {
        if (jdbc.update("UPDATE retention_conversation SET last_activity_at = ? WHERE conversation_id = ? "
                + "AND last_activity_at < ?", Timestamp.from(at), conversationId, Timestamp.from(at)) == 0) {
            if (jdbc.queryForList("SELECT 1 FROM retention_conversation WHERE conversation_id = ?", Integer.class,
                    conversationId).isEmpty()) {
                jdbc.update("INSERT INTO retention_conversation (conversation_id, user_id, last_activity_at) "
                        + "VALUES (?, ?, ?)", conversationId, userId, Timestamp.from(at));
            }
        }
    }

    @Override
    public String name() {
        return "conversations";
    }

    @Override
    public int apply(Instant now, Set<String> heldUserIds) {
        int count = 0;
        for (var row : jdbc.queryForList("SELECT conversation_id, user_id FROM retention_conversation "
                + "WHERE last_activity_at < ?", Timestamp.from(now.minus(inactivity)))) {
            String conversationId = (String) row.get("CONVERSATION_ID");
            String userId = (String) row.get("USER_ID");
            if (heldUserIds.contains(userId)) {
                continue;
            }
            String scope = "conversation:" + conversationId;
            keys.fence(scope, userId, "retention:" + conversationId);
            keys.destroy(scope);
            jdbc.update("DELETE FROM retention_conversation WHERE conversation_id = ?", conversationId);
            count++;
        }
        return count;
    }
}
