package net.kimik2.command.privacy;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.kimik2.api.accounts.DeviceRecordedEvent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The outbox of notices to people: a new policy version (one notice per person who has not accepted it, written
 * once per version in one statement) and a login from a new device. A background loop hands unsent notices to the
 * {@link NoticeSender} and marks them sent; a crash before the mark only sends again (at least once).
 */
@Component
@ProcessingGroup("privacy-notices")
class NoticeOutbox implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NoticeOutbox.class);

    private final JdbcTemplate jdbc;
    private final NoticeSender sender;
    private final String policyVersion;
    private final Clock clock;
    private final Duration every;
    private ScheduledExecutorService loop;

    NoticeOutbox(JdbcTemplate jdbc, ObjectProvider<NoticeSender> sender, @Value("${kimi.policy.version}") String policyVersion,
                 ObjectProvider<Clock> clock, @Value("${kimi.notices.deliver-every:PT5S}") Duration every) {
        this.jdbc = jdbc;
        this.sender = sender.getIfAvailable(() -> NoticeOutbox::logWithoutPersonalData);
        this.policyVersion = policyVersion;
        this.clock = clock.getIfAvailable(Clock::systemUTC);
        this.every = every;
    }

    private static void logWithoutPersonalData(Notice notice) {
        log.info("notice {} ({}, {}) for user {}", notice.noticeId(), notice.kind(), notice.reference(), notice.userId());
    }

    @EventHandler
    void on(DeviceRecordedEvent event) {
        if (event.newDevice()) {
            add("device:" + event.sessionId(), event.userId(), "NEW_DEVICE", event.sessionId());
        }
    }

    private void add(String noticeId, String userId, String kind, String reference) {
        if (jdbc.queryForList("SELECT 1 FROM notice_outbox WHERE notice_id = ?", Integer.class, noticeId).isEmpty()) {
            jdbc.update("INSERT INTO notice_outbox (notice_id, user_id, kind, reference, created_at) VALUES (?, ?, ?, ?, ?)",
                    noticeId, userId, kind, reference, Timestamp.from(clock.instant()));
        }
    }

    /** Once per configured version: a notice to everyone whose accepted version differs. */
    synchronized int announcePolicy() {
        if (!jdbc.queryForList("SELECT 1 FROM policy_announcement WHERE version = ?", Integer.class, policyVersion)
                .isEmpty()) {
            return 0;
        }
        Timestamp now = Timestamp.from(clock.instant());
        int notices = 0;
        for (String userId : jdbc.queryForList("SELECT user_id FROM account_policy WHERE accepted_version IS NULL "
                + "OR accepted_version <> ?", String.class, policyVersion)) {
            add("policy:" + policyVersion + ":" + userId, userId, "POLICY_CHANGED", policyVersion);
            notices++;
        }
        jdbc.update("INSERT INTO policy_announcement (version, announced_at, notices) VALUES (?, ?, ?)",
                policyVersion, now, notices);
        return notices;
    }

    synchronized int deliver() {
        List<Notice> due = jdbc.query("SELECT notice_id, user_id, kind, reference FROM notice_outbox "
                        + "WHERE sent_at IS NULL ORDER BY created_at FETCH FIRST 100 ROWS ONLY",
                (rs, i) -> new Notice(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        int sent = 0;
        for (Notice notice : due) {
            sender.send(notice);
            jdbc.update("UPDATE notice_outbox SET sent_at = ? WHERE notice_id = ?", Timestamp.from(clock.instant()),
                    notice.noticeId());
            sent++;
        }
        return sent;
    }

    @Override
    public synchronized void start() {
        loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "notice-outbox");
            t.setDaemon(true);
            return t;
        });
        loop.scheduleWithFixedDelay(() -> {
            try {
                announcePolicy();
                deliver();
            } catch (RuntimeException e) {
                log.warn("notice delivery failed, retried: {}", e.getClass().getSimpleName());
            }
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (loop != null) {
            loop.shutdownNow();
            loop = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return loop != null;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }
}
