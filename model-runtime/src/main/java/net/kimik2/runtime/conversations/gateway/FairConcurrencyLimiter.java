package net.kimik2.runtime.conversations.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A global limit on concurrent upstream calls with a bounded FIFO queue.
 *
 * <p>{@link #acquire()} grants a {@link Permit} at once while fewer than {@code maxConcurrent} are out; otherwise
 * the caller waits in a FIFO queue of at most {@code maxQueued}. A full queue fails fast with
 * {@link ModelBusyException}, as does a wait longer than {@code maxQueueWait}. Releasing a permit hands it directly
 * to the oldest waiter (no barging: a newcomer never overtakes the queue). Cancelling a waiting acquisition leaves
 * the queue.
 *
 * <p>Metrics (no tags at all, so nothing personal): gauges {@code kimi.model.gateway.active} and
 * {@code kimi.model.gateway.queued}, counter {@code kimi.model.gateway.rejected}, timer
 * {@code kimi.model.gateway.queue.wait}.
 */
public final class FairConcurrencyLimiter implements AutoCloseable {

    public static final int DEFAULT_MAX_CONCURRENT = 8;
    public static final int DEFAULT_MAX_QUEUED = 32;
    public static final Duration DEFAULT_MAX_QUEUE_WAIT = Duration.ofSeconds(60);

    /** Used for the retry hint until real call durations have been observed. */
    private static final long INITIAL_CALL_MILLIS = 10_000;
    private static final int MAX_RETRY_AFTER_SECONDS = 120;

    /** A granted slot; release it exactly once when the upstream call is over (further calls are no-ops). */
    public final class Permit {
        private final AtomicBoolean released = new AtomicBoolean();
        private final long grantedNanos = System.nanoTime();

        public void release() {
            if (released.compareAndSet(false, true)) {
                onRelease(System.nanoTime() - grantedNanos);
            }
        }
    }

    private final class Waiter {
        final CompletableFuture<Permit> future = new CompletableFuture<>();
        final long queuedNanos = System.nanoTime();
        ScheduledFuture<?> timeout;
    }

    private final int maxConcurrent;
    private final int maxQueued;
    private final Duration maxQueueWait;
    private final Object lock = new Object();
    private final Deque<Waiter> queue = new ArrayDeque<>();
    private int active;
    /** Exponentially weighted mean of how long a permit is held, for the retry hint. */
    private long meanHoldMillis = INITIAL_CALL_MILLIS;
    private final ScheduledExecutorService timer;
    private final Counter rejected;
    private final Timer queueWait;
    private final MeterRegistry registry;
    private final List<Meter> meters;

    public FairConcurrencyLimiter(int maxConcurrent, int maxQueued, MeterRegistry registry) {
        this(maxConcurrent, maxQueued, DEFAULT_MAX_QUEUE_WAIT, registry);
    }

    public FairConcurrencyLimiter(int maxConcurrent, int maxQueued, Duration maxQueueWait, MeterRegistry registry) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1: " + maxConcurrent);
        }
        if (maxQueued < 0) {
            throw new IllegalArgumentException("maxQueued must not be negative: " + maxQueued);
        }
        Objects.requireNonNull(maxQueueWait, "maxQueueWait");
        if (maxQueueWait.isNegative() || maxQueueWait.isZero()) {
            throw new IllegalArgumentException("maxQueueWait must be positive: " + maxQueueWait);
        }
        Objects.requireNonNull(registry, "registry");
        this.maxConcurrent = maxConcurrent;
        this.maxQueued = maxQueued;
        this.maxQueueWait = maxQueueWait;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "model-gateway-queue-timer");
            thread.setDaemon(true);
            return thread;
        });
        this.registry = registry;
        this.meters = List.of(
                Gauge.builder("kimi.model.gateway.active", this, FairConcurrencyLimiter::active)
                        .description("Upstream model calls in flight").register(registry),
                Gauge.builder("kimi.model.gateway.queued", this, FairConcurrencyLimiter::queued)
                        .description("Model calls waiting for an upstream slot").register(registry),
                this.rejected = Counter.builder("kimi.model.gateway.rejected")
                        .description("Model calls rejected because the queue was full or the wait too long")
                        .register(registry),
                this.queueWait = Timer.builder("kimi.model.gateway.queue.wait")
                        .description("Time model calls waited for an upstream slot").register(registry));
    }

    /**
     * A permit, at once or after waiting in line. The future fails with {@link ModelBusyException} when the queue
     * is full (immediately) or the wait exceeded the maximum. Cancelling it leaves the queue.
     */
    public CompletableFuture<Permit> acquire() {
        Waiter waiter = new Waiter();
        int retryAfter = -1;
        boolean granted = false;
        synchronized (lock) {
            if (active < maxConcurrent && queue.isEmpty()) {
                active++;
                granted = true;
            } else if (queue.size() >= maxQueued) {
                retryAfter = retryAfterSecondsLocked(queue.size() + 1);
            } else {
                queue.addLast(waiter);
                waiter.timeout = timer.schedule(() -> expire(waiter), maxQueueWait.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        if (granted) {
            queueWait.record(0, TimeUnit.NANOSECONDS);
            waiter.future.complete(new Permit());
            return waiter.future;
        }
        if (retryAfter >= 0) {
            rejected.increment();
            waiter.future.completeExceptionally(new ModelBusyException(retryAfter));
            return waiter.future;
        }
        waiter.future.whenComplete((permit, error) -> {
            if (waiter.future.isCancelled()) {
                leave(waiter);
            }
        });
        return waiter.future;
    }

    /**
     * A retry hint when a call asked for now would be refused at once (the queue is full), else empty. Lets callers
     * answer "busy" before they commit to anything (a prompt is only accepted while there is room).
     */
    public java.util.OptionalInt retryAfterIfFull() {
        synchronized (lock) {
            boolean full = !(active < maxConcurrent && queue.isEmpty()) && queue.size() >= maxQueued;
            return full ? java.util.OptionalInt.of(retryAfterSecondsLocked(queue.size() + 1))
                    : java.util.OptionalInt.empty();
        }
    }

    public int active() {
        synchronized (lock) {
            return active;
        }
    }

    public int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    public int maxConcurrent() {
        return maxConcurrent;
    }

    public int maxQueued() {
        return maxQueued;
    }

    /** Stops the queue timer and unregisters the meters (so that a new limiter can register them again). */
    @Override
    public void close() {
        timer.shutdownNow();
        meters.forEach(registry::remove);
    }

    private void onRelease(long heldNanos) {
        long heldMillis = TimeUnit.NANOSECONDS.toMillis(heldNanos);
        while (true) {
            Waiter next;
            synchronized (lock) {
                meanHoldMillis = (meanHoldMillis * 7 + heldMillis) / 8;
                next = queue.pollFirst();
                if (next == null) {
                    active--;
                    return;
                }
                // hand-off: the permit goes to the oldest waiter, active stays the same
            }
            if (handOff(next)) {
                return;
            }
            // that waiter was cancelled or timed out meanwhile: try the next one
            heldMillis = meanHoldMillis;
        }
    }

    private boolean handOff(Waiter waiter) {
        if (waiter.timeout != null) {
            waiter.timeout.cancel(false);
        }
        queueWait.record(System.nanoTime() - waiter.queuedNanos, TimeUnit.NANOSECONDS);
        return waiter.future.complete(new Permit());
    }

    private void expire(Waiter waiter) {
        int retryAfter;
        synchronized (lock) {
            if (!queue.remove(waiter)) {
                return;
            }
            retryAfter = retryAfterSecondsLocked(queue.size() + 1);
        }
        rejected.increment();
        waiter.future.completeExceptionally(new ModelBusyException(retryAfter));
    }

    private void leave(Waiter waiter) {
        synchronized (lock) {
            queue.remove(waiter);
        }
        if (waiter.timeout != null) {
            waiter.timeout.cancel(false);
        }
    }

    /** About how long until {@code position} callers ahead have been served: rounds of calls times their mean hold. */
    private int retryAfterSecondsLocked(int position) {
        long rounds = (position + maxConcurrent - 1L) / maxConcurrent;
        long millis = rounds * Math.max(meanHoldMillis, 1000);
        long seconds = (millis + 999) / 1000;
        return (int) Math.max(1, Math.min(MAX_RETRY_AFTER_SECONDS, seconds));
    }
}
