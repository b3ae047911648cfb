package net.kimik2.command.privacy;

import net.kimik2.command.platform.RetentionRule;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.kimik2.api.privacy.FindRetentionRunsQuery;
import net.kimik2.api.privacy.RetentionRunView;
import org.axonframework.queryhandling.QueryHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Runs the {@link RetentionRule}s as a scheduled sweep whose schedule lives in the database (ADR 0021): the next due
 * time is a row, so a sweep that fell due while the service was down runs at the next start, and a run is recorded
 * (counts only) in the same statement batch that moves the schedule on. Rules are idempotent, so a crash between
 * shredding and recording only repeats harmless work. People under a legal hold are skipped by every rule.
 */
@Component
class RetentionSweep implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RetentionSweep.class);

    private final JdbcTemplate jdbc;
    private final List<RetentionRule> rules;
    private final LegalHolds holds;
    private final Clock clock;
    private final Duration interval;
    private final Duration checkEvery;
    private ScheduledExecutorService scheduler;

    @Autowired
    RetentionSweep(JdbcTemplate jdbc, List<RetentionRule> rules, LegalHolds holds, ObjectProvider<Clock> clock,
                   @Value("${kimi.retention.interval:PT1H}") Duration interval,
                   @Value("${kimi.retention.check-every:PT1M}") Duration checkEvery) {
        this(jdbc, rules, holds, clock.getIfAvailable(Clock::systemUTC), interval, checkEvery);
    }

    RetentionSweep(JdbcTemplate jdbc, List<RetentionRule> rules, LegalHolds holds, Clock clock, Duration interval,
                   Duration checkEvery) {
        this.jdbc = jdbc;
        this.rules = rules;
        this.holds = holds;
        this.clock = clock;
        this.interval = interval;
        this.checkEvery = checkEvery;
    }

    /** Runs the sweep if it is due; answers whether it ran. Called by the scheduler, and by tests with their clock. */
    synchronized boolean runIfDue() {
        Instant now = clock.instant();
        List<Timestamp> next = jdbc.queryForList("SELECT next_run_at FROM retention_schedule WHERE name = 'sweep'",
                Timestamp.class);
        if (!next.isEmpty() && now.isBefore(next.get(0).toInstant())) {
            return false;
        }
        Timestamp due = Timestamp.from(now.plus(interval));
        if (!claim(next, due)) {
            return false; // another node took this run (several nodes share the schedule, ADR 0025)
        }
        Set<String> held = new HashSet<>(holds.heldUserIds());
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (RetentionRule rule : rules) {
            counts.put(rule.name(), rule.apply(now, held));
        }
        String encoded = String.join(";", counts.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        jdbc.update("INSERT INTO retention_run (run_id, ran_at, counts, held_persons) VALUES (?, ?, ?, ?)",
                UUID.randomUUID().toString(), Timestamp.from(now), encoded, held.size());
        log.info("retention run: {} ({} persons on legal hold skipped)", encoded, held.size());
        return true;
    }

    /**
     * Moves the schedule on before the run, only if no other node moved it since it was read (compare and set), so
     * one node runs each due sweep. A crash during the run leaves it for the next interval (the rules are idempotent).
     */
    private boolean claim(List<Timestamp> seen, Timestamp due) {
        if (seen.isEmpty()) {
            try {
                jdbc.update("INSERT INTO retention_schedule (name, next_run_at) VALUES ('sweep', ?)", due);
                return true;
            } catch (org.springframework.dao.DataIntegrityViolationException anotherNodeFirst) {
                return false;
            }
        }
        return jdbc.update("UPDATE retention_schedule SET next_run_at = ? WHERE name = 'sweep' AND next_run_at = ?",
                due, seen.get(0)) == 1;
    }

    @QueryHandler
    List<RetentionRunView> handle(FindRetentionRunsQuery query) {
        return jdbc.query("SELECT run_id, ran_at, counts, held_persons FROM retention_run ORDER BY ran_at DESC",
                (rs, i) -> new RetentionRunView(rs.getString(1), rs.getTimestamp(2).toInstant(), decode(rs.getString(3)),
                        rs.getInt(4))).stream().limit(Math.max(1, Math.min(query.limit(), 100))).toList();
    }

    private static Map<String, Integer> decode(String counts) {
        Map<String, Integer> map = new LinkedHashMap<>();
        for (String pair : counts.split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                map.put(pair.substring(0, eq), Integer.parseInt(pair.substring(eq + 1)));
            }
        }
        return map;
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "retention-sweep");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                runIfDue();
            } catch (RuntimeException e) {
                log.warn("retention sweep failed, retried at the next check: {}", e.getClass().getSimpleName());
            }
        }, checkEvery.toMillis(), checkEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100; // after the event processors, before nothing else
    }
}
