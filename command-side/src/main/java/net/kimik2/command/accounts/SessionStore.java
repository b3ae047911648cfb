package net.kimik2.command.accounts;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import net.kimik2.api.accounts.AccountRegisteredEvent;
import net.kimik2.api.accounts.ActiveSession;
import net.kimik2.api.accounts.FindActiveSessionQuery;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.accounts.UserLoggedInEvent;
import net.kimik2.api.accounts.UserLoggedOutEvent;
import net.kimik2.api.accounts.PasswordChangedEvent;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import net.kimik2.axon.platform.NodeSignals;
import net.kimik2.axon.platform.ReadCache;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Sessions as a command-side table, written by a subscribing processor in the same transaction as the login or
 * logout event, so that a token works (or stops working) the moment the command is acknowledged.
 */
@Component
@ProcessingGroup("accounts-sessions")
class SessionStore {

    /** Signal topic of revoked sessions: a session id, or {@link #ALL} (ids only, no personal data). */
    private static final String SIGNAL = "sessions";
    private static final String ALL = "*";

    private final JdbcTemplate jdbc;
    /**
     * Every authenticated request asks for its session; live sessions are served from memory. Logout and erasure
     * drop the entries on this node at once (before and after their commit, so no reader re-inserts the old row);
     * other nodes drop theirs when this node's signal arrives (ADR 0025); the expiry bounds how long another node's
     * logout may take here when a signal is lost.
     */
    private final ReadCache<String, ActiveSession> live;
    private final NodeSignals signals;
    private final java.util.Map<String, Instant> lastSeenWritten = new java.util.concurrent.ConcurrentHashMap<>();

    @Autowired
    SessionStore(JdbcTemplate jdbc, ObjectProvider<MeterRegistry> meters,
                 @Value("${kimi.cache.sessions.size:100000}") long size,
                 @Value("${kimi.cache.sessions.ttl:PT10S}") Duration ttl, NodeSignals signals) {
        this(jdbc, meters.getIfAvailable(), size, ttl, signals);
    }

    SessionStore(JdbcTemplate jdbc, MeterRegistry meters, long cacheSize, Duration cacheTtl) {
        this(jdbc, meters, cacheSize, cacheTtl, NodeSignals.NONE);
    }

    private SessionStore(JdbcTemplate jdbc, MeterRegistry meters, long cacheSize, Duration cacheTtl,
                         NodeSignals signals) {
        this.jdbc = jdbc;
        this.live = new ReadCache<>("sessions", cacheSize, cacheTtl, meters);
        this.signals = signals;
        signals.subscribe(SIGNAL, id -> {
            if (id.equals(ALL)) {
                live.invalidateAll();
            } else {
                live.invalidate(id);
            }
        });
        signals.onGap(live::invalidateAll);
    }

    @EventHandler
    void on(AccountRegisteredEvent event) {
        if (jdbc.update("UPDATE account_role SET role = ? WHERE user_id = ?", event.role().name(), event.userId()) == 0) {
            jdbc.update("INSERT INTO account_role (user_id, role) VALUES (?, ?)", event.userId(), event.role().name());
        }
    }

    @EventHandler
    void on(UserLoggedInEvent event) {
        String role = jdbc.queryForList("SELECT role FROM account_role WHERE user_id = ?", String.class, event.userId())
                .stream().findFirst().orElse(Role.USER.name());
        jdbc.update("INSERT INTO account_session (session_id, user_id, role, expires_at, created_at, last_seen_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?)", event.sessionId(), event.userId(), role,
                Timestamp.from(event.expiresAt()), Timestamp.from(event.loggedInAt()), Timestamp.from(event.loggedInAt()));
    }

    @EventHandler
    void on(UserLoggedOutEvent event) {
        jdbc.update("UPDATE account_session SET revoked_at = ? WHERE session_id = ? AND user_id = ? AND revoked_at IS NULL",
                Timestamp.from(event.loggedOutAt()), event.sessionId(), event.userId());
        forget(() -> live.invalidate(event.sessionId()));
        signals.publish(SIGNAL, event.sessionId());
    }

    /** A password change ends every other session of the person at once. */
    @EventHandler
    void on(PasswordChangedEvent event) {
        jdbc.update("UPDATE account_session SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL "
                + "AND session_id <> ?", Timestamp.from(event.changedAt()), event.userId(),
                event.keptSessionId() == null ? "" : event.keptSessionId());
        forget(live::invalidateAll);
        signals.publish(SIGNAL, ALL);
    }

    /** Erasure: every session of the person ends in the same transaction as the request. */
    @EventHandler
    void on(ErasureRequestedEvent event) {
        jdbc.update("UPDATE account_session SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                Timestamp.from(event.requestedAt()), event.userId());
        // sessions are keyed by id; an erasure is rare enough to drop them all rather than index them by person
        forget(live::invalidateAll);
        signals.publish(SIGNAL, ALL);
    }

    /** Now, and again once the revocation is committed (a reader between the two may have cached the old row). */
    private static void forget(Runnable invalidation) {
        invalidation.run();
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(u -> invalidation.run());
            CurrentUnitOfWork.get().onRollback(u -> invalidation.run());
        }
    }

    @QueryHandler
    Optional<ActiveSession> handle(FindActiveSessionQuery query) {
        Instant now = Instant.now();
        Optional<ActiveSession> session = live.get(query.sessionId(), this::load).filter(s -> s.expiresAt().isAfter(now));
        session.ifPresent(s -> touch(s.sessionId(), now));
        return session;
    }

    /** Last-seen time for the session list, written at most once a minute per session (not on every request). */
    private void touch(String sessionId, Instant now) {
        Instant written = lastSeenWritten.get(sessionId);
        if (written == null || written.isBefore(now.minusSeconds(60))) {
            lastSeenWritten.put(sessionId, now);
            jdbc.update("UPDATE account_session SET last_seen_at = ? WHERE session_id = ?", Timestamp.from(now), sessionId);
            if (lastSeenWritten.size() > 100_000) {
                lastSeenWritten.clear(); // bounded; at worst one extra write per session
            }
        }
    }

    private Optional<ActiveSession> load(String sessionId) {
        return jdbc.query("SELECT session_id, user_id, role, expires_at FROM account_session "
                        + "WHERE session_id = ? AND revoked_at IS NULL AND expires_at > ?",
                (rs, i) -> new ActiveSession(rs.getString(1), rs.getString(2), Role.valueOf(rs.getString(3)),
                        rs.getTimestamp(4).toInstant()),
                sessionId, Timestamp.from(Instant.now())).stream().findFirst();
    }
}
