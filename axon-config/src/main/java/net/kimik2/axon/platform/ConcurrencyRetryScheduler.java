package net.kimik2.axon.platform;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.gateway.RetryScheduler;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;

/**
 * Retries a command whose events lost the race for their aggregate sequence numbers to another node (Axon's JDBC
 * engine answers a second append of the same sequence with a {@link ConcurrencyException}); the rollback evicted the
 * cached aggregate, so the retry reloads it with the other node's events and decides again (ADR 0025). Nothing else
 * is retried: a domain refusal is an answer, and a duplicate creation ({@link AggregateStreamCreationException}) is
 * the idempotent repeat of a command that already happened.
 */
final class ConcurrencyRetryScheduler implements RetryScheduler {

    private final ScheduledExecutorService executor;
    private final int maxRetries;
    private final Runnable onRetry;

    ConcurrencyRetryScheduler(ScheduledExecutorService executor, int maxRetries, Runnable onRetry) {
        this.executor = executor;
        this.maxRetries = maxRetries;
        this.onRetry = onRetry;
    }

    @Override
    public boolean scheduleRetry(CommandMessage commandMessage, RuntimeException lastFailure,
                                 List<Class<? extends Throwable>[]> failures, Runnable commandDispatch) {
        if (failures.size() > maxRetries || !lostAppendRace(lastFailure)) {
            return false;
        }
        // a little jitter, growing with the attempts, so two nodes that collided do not collide again in lockstep
        long delayMillis = ThreadLocalRandom.current().nextLong(5, 20L * failures.size() + 10);
        onRetry.run();
        executor.schedule(commandDispatch, delayMillis, TimeUnit.MILLISECONDS);
        return true;
    }

    static boolean lostAppendRace(Throwable failure) {
        int guard = 0;
        for (Throwable t = failure; t != null && guard++ < 32; t = t.getCause()) {
            if (t instanceof AggregateStreamCreationException) {
                return false;
            }
            if (t instanceof ConcurrencyException) {
                return true;
            }
        }
        return false;
    }
}
