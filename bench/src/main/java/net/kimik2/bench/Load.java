package net.kimik2.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/** Closed-loop load: C client threads, each sending its next request as soon as the previous one answered. */
final class Load {

    private Load() {
    }

    /** The outcome of one load phase; latencies in nanoseconds, one per completed (successful) operation. */
    record Result(int attempted, long[] latenciesNanos, long wallNanos, List<String> failures) {

        int succeeded() {
            return latenciesNanos.length;
        }

        double perSecond() {
            return wallNanos == 0 ? 0 : succeeded() / (wallNanos / 1e9);
        }

        double percentileMillis(double p) {
            if (latenciesNanos.length == 0) {
                return Double.NaN;
            }
            // nearest rank on the sorted sample (latenciesNanos is sorted by the constructor helpers below)
            int rank = (int) Math.ceil(p * latenciesNanos.length);
            return latenciesNanos[Math.max(0, Math.min(latenciesNanos.length - 1, rank - 1))] / 1e6;
        }

        double maxMillis() {
            return latenciesNanos.length == 0 ? Double.NaN : latenciesNanos[latenciesNanos.length - 1] / 1e6;
        }
    }

    /** An operation that also learns which client (0..clients-1, one thread each) runs it. */
    @FunctionalInterface
    interface ClientTask {
        void accept(int client, int index);
    }

    /** Runs operations 0..count-1, spread over {@code clients} threads; the task throws to report a failure. */
    static Result count(int count, int clients, IntConsumer task) throws InterruptedException {
        return run(clients, count, Long.MAX_VALUE, (client, i) -> task.accept(i));
    }

    /** As {@link #count(int, int, IntConsumer)}, for tasks that keep per-client state (a token, a WebSocket). */
    static Result count(int count, int clients, ClientTask task) throws InterruptedException {
        return run(clients, count, Long.MAX_VALUE, task);
    }

    /** Runs operations until {@code maxCount} are done or {@code seconds} have passed, whichever comes first. */
    static Result timed(int maxCount, double seconds, int clients, IntConsumer task) throws InterruptedException {
        return run(clients, maxCount, (long) (seconds * 1e9), (client, i) -> task.accept(i));
    }

    private static Result run(int clients, int maxCount, long maxNanos, ClientTask task) throws InterruptedException {
        long[] latencies = new long[maxCount];
        boolean[] ok = new boolean[maxCount];
        AtomicInteger next = new AtomicInteger();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        long deadline = maxNanos == Long.MAX_VALUE ? Long.MAX_VALUE : start + maxNanos;
        for (int c = 0; c < clients; c++) {
            int client = c;
            pool.execute(() -> {
                // check the clock before claiming an index, so every claimed index is executed
                while (System.nanoTime() < deadline) {
                    int i = next.getAndIncrement();
                    if (i >= maxCount) {
                        return;
                    }
                    long t0 = System.nanoTime();
                    try {
                        task.accept(client, i);
                        latencies[i] = System.nanoTime() - t0;
                        ok[i] = true;
                    } catch (RuntimeException | Error e) {
                        // Errors too: a dying worker thread would otherwise vanish without a trace
                        failures.add("#" + i + ": " + e);
                    }
                }
            });
        }
        pool.shutdown();
        // bounded: a hung service must not hang the bench forever
        if (!pool.awaitTermination(Math.min(maxNanos == Long.MAX_VALUE ? TimeUnit.HOURS.toNanos(1) : maxNanos * 2 + 60_000_000_000L,
                TimeUnit.HOURS.toNanos(1)), TimeUnit.NANOSECONDS)) {
            pool.shutdownNow();
            failures.add("load phase did not finish in time");
        }
        long wall = System.nanoTime() - start;
        int attempted = Math.min(next.get(), maxCount);
        long[] succeeded = new long[attempted];
        int n = 0;
        for (int i = 0; i < attempted; i++) {
            if (ok[i]) {
                succeeded[n++] = latencies[i];
            }
        }
        long[] sorted = Arrays.copyOf(succeeded, n);
        Arrays.sort(sorted);
        return new Result(attempted, sorted, wall, List.copyOf(failures));
    }
}
