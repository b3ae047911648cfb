package net.kimik2.command.apikeys;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.kimik2.api.apikeys.ApiKeyCreatedEvent;
import net.kimik2.api.apikeys.ApiKeyGrant;
import net.kimik2.api.apikeys.ApiKeyList;
import net.kimik2.api.apikeys.ApiKeyRevokedEvent;
import net.kimik2.api.apikeys.ApiKeyView;
import net.kimik2.api.apikeys.FindApiKeyGrantQuery;
import net.kimik2.api.apikeys.FindApiKeysQuery;
import net.kimik2.api.conversations.AnswerRecordedEvent;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import net.kimik2.api.platform.MetadataKeys;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.shredding.privacy.FieldCipher;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.annotation.MetaDataValue;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * API keys and what they spent, as command-side tables written by a subscribing processor in the same transaction
 * as the events (like the sessions): a key works, or stops working, the moment its command is acknowledged, and an
 * answer's cost counts against its key exactly once. Only the SHA-256 hash of a secret is stored; the label is
 * encrypted under the person's key, so erasure shreds it (ADR 0018).
 */
@Component
@ProcessingGroup("apikeys-store")
class ApiKeyStore {

    private final JdbcTemplate jdbc;
    private final FieldCipher cipher;

    ApiKeyStore(JdbcTemplate jdbc, FieldCipher cipher) {
        this.jdbc = jdbc;
        this.cipher = cipher;
    }

    @EventHandler
    void on(ApiKeyCreatedEvent event) {
        if (jdbc.queryForObject("SELECT COUNT(*) FROM api_key WHERE key_id = ?", Integer.class, event.keyId()) > 0) {
            return;
        }
        jdbc.update("INSERT INTO api_key (key_id, user_id, secret_hash, prefix, label, monthly_budget, expires_at, "
                        + "models, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                event.keyId(), event.userId(), event.secretHash(), event.prefix(),
                cipher.encryptString(scope(event.userId()), event.userId(), "label", event.label()),
                event.monthlyBudgetCredits(), timestamp(event.expiresAt()), String.join(",", event.models()),
                Timestamp.from(event.createdAt()));
    }

    @EventHandler
    void on(ApiKeyRevokedEvent event) {
        jdbc.update("UPDATE api_key SET revoked_at = ? WHERE key_id = ? AND user_id = ? AND revoked_at IS NULL",
                Timestamp.from(event.revokedAt()), event.keyId(), event.userId());
    }

    /** Erasure: every key of the person stops working in the same transaction as the request. */
    @EventHandler
    void on(ErasureRequestedEvent event) {
        jdbc.update("UPDATE api_key SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                Timestamp.from(event.requestedAt()), event.userId());
    }

    /** A prompt sent with a key (the /v1 endpoint): remembered, so that its answer's cost counts against the key. */
    @EventHandler
    void on(PromptSubmittedEvent event, @MetaDataValue(MetadataKeys.API_KEY_ID) String apiKeyId) {
        if (apiKeyId == null) {
            return;
        }
        if (jdbc.update("UPDATE api_key SET last_used_at = ? WHERE key_id = ? AND user_id = ?",
                Timestamp.from(event.submittedAt()), apiKeyId, event.userId()) == 0) {
            return; // not this person's key: nothing to count
        }
        if (jdbc.queryForObject("SELECT COUNT(*) FROM api_key_prompt WHERE prompt_id = ?", Integer.class,
                event.promptId()) == 0) {
            jdbc.update("INSERT INTO api_key_prompt (prompt_id, key_id, cost) VALUES (?, ?, 0)", event.promptId(),
                    apiKeyId);
        }
    }

    @EventHandler
    void on(AnswerRecordedEvent event) {
        jdbc.update("UPDATE api_key_prompt SET cost = ?, answered_at = ? WHERE prompt_id = ?",
                event.usage().costCredits(), Timestamp.from(event.answeredAt()), event.promptId());
    }

    @QueryHandler
    Optional<ApiKeyGrant> handle(FindApiKeyGrantQuery query) {
        Instant now = Instant.now();
        return jdbc.query("SELECT k.key_id, k.user_id, k.expires_at, k.monthly_budget, k.models, "
                        + SPENT + " FROM api_key k "
                        + "WHERE k.secret_hash = ? AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?)",
                (rs, i) -> new ApiKeyGrant(rs.getString(1), rs.getString(2), instant(rs, 3),
                        budget(rs, 4), models(rs.getString(5)), rs.getLong(6)),
                Timestamp.from(monthStart(now)), query.secretHash(), Timestamp.from(now)).stream().findFirst();
    }

    @QueryHandler
    ApiKeyList handle(FindApiKeysQuery query) {
        Instant now = Instant.now();
        return new ApiKeyList(jdbc.query("SELECT k.key_id, k.user_id, k.label, k.prefix, k.created_at, k.expires_at, "
                        + "k.monthly_budget, k.models, k.last_used_at, " + SPENT + ", k.revoked_at FROM api_key k "
                        + "WHERE k.user_id = ? ORDER BY k.created_at DESC, k.key_id",
                (rs, i) -> new ApiKeyView(rs.getString(1), rs.getString(2),
                        cipher.decryptString(scope(rs.getString(2)), "label", rs.getString(3)).orElse("[erased]"),
                        rs.getString(4), instant(rs, 5), instant(rs, 6), budget(rs, 7), models(rs.getString(8)),
                        instant(rs, 9), rs.getLong(10), instant(rs, 11)),
                Timestamp.from(monthStart(now)), query.userId()));
    }

    private static final String SPENT = "(SELECT COALESCE(SUM(p.cost), 0) FROM api_key_prompt p "
            + "WHERE p.key_id = k.key_id AND p.answered_at >= ?)";

    static Instant monthStart(Instant now) {
        ZonedDateTime utc = now.atZone(ZoneOffset.UTC);
        return utc.withDayOfMonth(1).toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private static String scope(String userId) {
        return "user:" + userId;
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Long budget(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static List<String> models(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : Arrays.asList(joined.split(","));
    }
}
