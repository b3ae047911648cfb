package net.kimik2.command.accounts;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.DeviceRecordedEvent;
import net.kimik2.api.accounts.FindPolicyStatusQuery;
import net.kimik2.api.accounts.FindPrivacyChoicesQuery;
import net.kimik2.api.accounts.FindSessionsQuery;
import net.kimik2.api.accounts.PolicyAcceptedEvent;
import net.kimik2.api.accounts.PolicyStatusView;
import net.kimik2.api.accounts.PrivacyChoicesSetEvent;
import net.kimik2.api.accounts.PrivacyChoicesView;
import net.kimik2.api.accounts.SessionView;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.shredding.privacy.FieldCipher;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The accepted policy version, the privacy choices and the device records, as command-side tables written in the
 * same transaction as their events (the subscribing {@code accounts-sessions} processor, as {@link SessionStore}):
 * the policy gate and the choices that travel with a prompt must never lag behind an acceptance or a change.
 * Device values are encrypted under the record's own key ({@code device:<sessionId>}), which retention or erasure
 * destroys.
 */
@Component
@ProcessingGroup("accounts-sessions")
class AccountPrivacyStore {

    private final JdbcTemplate jdbc;
    private final FieldCipher cipher;
    private final PolicySettings policy;
    private final EventStore events;

    AccountPrivacyStore(JdbcTemplate jdbc, FieldCipher cipher, PolicySettings policy, EventStore events) {
        this.jdbc = jdbc;
        this.events = events;
        this.cipher = cipher;
        this.policy = policy;
    }

    @EventHandler
    void on(AccountRegisteredEvent event) {
        accepted(event.userId(), event.acceptedPolicyVersion(), event.registeredAt());
    }

    @EventHandler
    void on(PolicyAcceptedEvent event) {
        accepted(event.userId(), event.version(), event.acceptedAt());
    }

    private void accepted(String userId, String version, Instant at) {
        if (jdbc.update("UPDATE account_policy SET accepted_version = ?, accepted_at = ? WHERE user_id = ?",
                version, Timestamp.from(at), userId) == 0) {
            jdbc.update("INSERT INTO account_policy (user_id, accepted_version, accepted_at) VALUES (?, ?, ?)",
                    userId, version, Timestamp.from(at));
        }
    }

    @EventHandler
    void on(PrivacyChoicesSetEvent event) {
        Object[] values = {event.modelImprovement(), event.analyticsCookies(), event.productEmails(),
                event.policyVersion(), Timestamp.from(event.setAt()), event.userId()};
        if (jdbc.update("UPDATE account_choices SET model_improvement = ?, analytics_cookies = ?, product_emails = ?, "
                + "policy_version = ?, updated_at = ? WHERE user_id = ?", values) == 0) {
            jdbc.update("INSERT INTO account_choices (model_improvement, analytics_cookies, product_emails, "
                    + "policy_version, updated_at, user_id) VALUES (?, ?, ?, ?, ?, ?)", values);
        }
    }

    @EventHandler
    void on(DeviceRecordedEvent event) {
        String scope = deviceScope(event.sessionId());
        if (cipher.keys().isErased(scope)) {
            return; // replay after retention or erasure shredded the record
        }
        jdbc.update("DELETE FROM account_device WHERE session_id = ?", event.sessionId());
        jdbc.update("INSERT INTO account_device (session_id, user_id, device_type, os, browser, ip_address, recorded_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?)", event.sessionId(), event.userId(),
                encrypt(event, "deviceType", event.deviceType()), encrypt(event, "os", event.os()),
                encrypt(event, "browser", event.browser()), encrypt(event, "ipAddress", event.ipAddress()),
                Timestamp.from(event.recordedAt()));
    }

    /** The keys are destroyed by the erasure; the rows go at once. */
    @EventHandler
    void on(ErasureRequestedEvent event) {
        jdbc.update("DELETE FROM account_device WHERE user_id = ?", event.userId());
    }

    private String encrypt(DeviceRecordedEvent event, String field, String value) {
        return value == null ? null : cipher.encryptString(deviceScope(event.sessionId()), event.userId(), field, value);
    }

    static String deviceScope(String sessionId) {
        return "device:" + sessionId;
    }

    @QueryHandler
    PolicyStatusView handle(FindPolicyStatusQuery query) {
        String accepted = jdbc.queryForList("SELECT accepted_version FROM account_policy WHERE user_id = ?",
                String.class, query.userId()).stream().findFirst().orElseGet(() -> backfill(query.userId()));
        return new PolicyStatusView(policy.currentPolicyVersion(), policy.effectiveFrom(), policy.policyUrl(),
                accepted, policy.acceptanceRequired(accepted, Instant.now()));
    }

    /**
     * Accounts registered before this table existed have no row: their accepted version is read once from their
     * stream (registration, later acceptances) and stored, so the gate does not block people who did accept.
     */
    private String backfill(String userId) {
        String accepted = null;
        Instant at = null;
        var stream = events.readEvents(userId);
        while (stream.hasNext()) {
            Object payload = stream.next().getPayload();
            if (payload instanceof AccountRegisteredEvent registered) {
                accepted = registered.acceptedPolicyVersion();
                at = registered.registeredAt();
            } else if (payload instanceof PolicyAcceptedEvent acceptance) {
                accepted = acceptance.version();
                at = acceptance.acceptedAt();
            }
        }
        if (accepted != null) {
            accepted(userId, accepted, at);
        }
        return accepted;
    }

    @QueryHandler
    PrivacyChoicesView handle(FindPrivacyChoicesQuery query) {
        return jdbc.query("SELECT model_improvement, analytics_cookies, product_emails, updated_at, policy_version "
                        + "FROM account_choices WHERE user_id = ?",
                (rs, i) -> new PrivacyChoicesView(query.userId(), rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3),
                        rs.getTimestamp(4).toInstant(), rs.getString(5)), query.userId())
                .stream().findFirst().orElse(PrivacyChoicesView.defaults(query.userId()));
    }

    @QueryHandler
    List<SessionView> handle(FindSessionsQuery query) {
        return jdbc.query("SELECT s.session_id, s.created_at, s.last_seen_at, s.expires_at, d.device_type, d.os, "
                        + "d.browser, d.ip_address FROM account_session s LEFT JOIN account_device d "
                        + "ON d.session_id = s.session_id WHERE s.user_id = ? AND s.revoked_at IS NULL "
                        + "AND s.expires_at > ? ORDER BY s.created_at DESC",
                (rs, i) -> {
                    String scope = deviceScope(rs.getString(1));
                    return new SessionView(query.userId(), rs.getString(1), instant(rs.getTimestamp(2)), instant(rs.getTimestamp(3)),
                            instant(rs.getTimestamp(4)), decrypt(scope, "deviceType", rs.getString(5)),
                            decrypt(scope, "os", rs.getString(6)), decrypt(scope, "browser", rs.getString(7)),
                            decrypt(scope, "ipAddress", rs.getString(8)));
                }, query.userId(), Timestamp.from(Instant.now()));
    }

    private String decrypt(String scope, String field, String envelope) {
        return envelope == null ? null : cipher.decryptString(scope, field, envelope).orElse(null);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
