package net.kimik2.runtime.conversations.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs every call of a delegate gateway under a {@link FairConcurrencyLimiter}: the call starts once it holds a
 * permit and gives it back when it succeeds, fails or is cancelled. Cancelling the returned future while queued
 * leaves the queue; while running, it cancels the delegate's call.
 *
 * <p>Records the timer {@code kimi.model.gateway.calls} tagged only with {@code outcome} ({@code ok},
 * {@code busy}, {@code cancelled} or a {@link ModelCallFailedException.Reason} name).
 */
public final class LimitedModelGateway implements ModelGateway, AutoCloseable {

    private final ModelGateway delegate;
    private final FairConcurrencyLimiter limiter;
    private final MeterRegistry registry;

    public LimitedModelGateway(ModelGateway delegate, FairConcurrencyLimiter limiter, MeterRegistry registry) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    public ModelGateway delegate() {
        return delegate;
    }

    public FairConcurrencyLimiter limiter() {
        return limiter;
    }

    @Override
    public CompletableFuture<Completion> complete(ChatRequest request, DeltaListener listener) {
        long startNanos = System.nanoTime();
        CompletableFuture<Completion> result = new CompletableFuture<>();
        CompletableFuture<FairConcurrencyLimiter.Permit> permitFuture = limiter.acquire();
        permitFuture.whenComplete((permit, error) -> {
            if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
            }
            if (result.isDone()) { // cancelled while the permit was on its way
                permit.release();
                return;
            }
            CompletableFuture<Completion> inner;
            try {
                inner = delegate.complete(request, listener);
            } catch (RuntimeException e) {
                permit.release();
                result.completeExceptionally(e);
                return;
            }
            inner.whenComplete((completion, failure) -> {
                permit.release(); // before completing, so the next call can start right away
                if (failure != null) {
                    result.completeExceptionally(unwrap(failure));
                } else {
                    result.complete(completion);
                }
            });
            result.whenComplete((ignored, failure) -> {
                if (failure instanceof CancellationException) {
                    inner.cancel(true);
                }
            });
        });
        result.whenComplete((completion, failure) -> {
            if (failure instanceof CancellationException) {
                permitFuture.cancel(false);
            }
            record(startNanos, outcome(failure));
        });
        return result;
    }

    @Override
    public void close() throws Exception {
        limiter.close();
        if (delegate instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    private void record(long startNanos, String outcome) {
        Timer.builder("kimi.model.gateway.calls")
                .description("Model calls by outcome, queue time included")
                .tag("outcome", outcome)
                .register(registry)
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    private static String outcome(Throwable failure) {
        if (failure == null) {
            return "ok";
        }
        Throwable cause = unwrap(failure);
        if (cause instanceof ModelBusyException) {
            return "busy";
        }
        if (cause instanceof ModelCallFailedException failed) {
            return failed.reason().name();
        }
        if (cause instanceof CancellationException) {
            return "cancelled";
        }
        return "error";
    }

    static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    @Override
    public String toString() {
        return "LimitedModelGateway[" + delegate + ", maxConcurrent=" + limiter.maxConcurrent() + ", maxQueued="
                + limiter.maxQueued() + "]";
    }
}
