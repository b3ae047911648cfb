package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.ChatMessage;
import net.kimik2.command.conversations.Usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import net.kimik2.runtime.conversations.gateway.ModelCallFailedException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FairConcurrencyLimiterTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** A delegate whose calls the test completes by hand; records the order in which calls started. */
    private static final class ManualGateway implements ModelGateway {
        final List<String> started = new CopyOnWriteArrayList<>();
        final Map<String, CompletableFuture<Completion>> calls = new ConcurrentHashMap<>();

        @Override
        public CompletableFuture<Completion> complete(ChatRequest request, DeltaListener listener) {
            CompletableFuture<Completion> future = new CompletableFuture<>();
            calls.put(request.requestId(), future);
            started.add(request.requestId());
            return future;
        }

        void finish(String id) {
            calls.get(id).complete(new Completion("ok", new Usage(1, 0, 1), true, "stop", "m"));
        }

        void fail(String id) {
            calls.get(id).completeExceptionally(new ModelCallFailedException(Reason.UPSTREAM_ERROR, "boom", "", 0,
                    null, 1, null));
        }
    }

    private static ChatRequest request(String id) {
        return new ChatRequest("m", List.of(ChatMessage.user("hi")), 16, id);
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    @Test
    void withLimitOneAndQueueOneTheThirdCallIsBusy() throws Exception {
        ManualGateway delegate = new ManualGateway();
        LimitedModelGateway gateway = new LimitedModelGateway(delegate,
                new FairConcurrencyLimiter(1, 1, registry), registry);

        CompletableFuture<Completion> a = gateway.complete(request("a"), DeltaListener.NONE);
        CompletableFuture<Completion> b = gateway.complete(request("b"), DeltaListener.NONE);
        CompletableFuture<Completion> c = gateway.complete(request("c"), DeltaListener.NONE);

        Throwable busy = catchThrowable(() -> c.get(1, TimeUnit.SECONDS));
        assertThat(busy).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ModelBusyException.class);
        assertThat(((ModelBusyException) busy.getCause()).retryAfterSeconds()).isPositive();
        assertThat(delegate.started).containsExactly("a");
        assertThat(gauge("kimi.model.gateway.active")).isEqualTo(1);
        assertThat(gauge("kimi.model.gateway.queued")).isEqualTo(1);
        assertThat(registry.get("kimi.model.gateway.rejected").counter().count()).isEqualTo(1);

        delegate.finish("a");
        assertThat(a.get(1, TimeUnit.SECONDS).text()).isEqualTo("ok");
        assertThat(delegate.started).containsExactly("a", "b");
        assertThat(gauge("kimi.model.gateway.queued")).isZero();

        delegate.finish("b");
        b.get(1, TimeUnit.SECONDS);
        assertThat(gauge("kimi.model.gateway.active")).isZero();
        assertThat(registry.get("kimi.model.gateway.calls").tag("outcome", "ok").timer().count()).isEqualTo(2);
        assertThat(registry.get("kimi.model.gateway.calls").tag("outcome", "busy").timer().count()).isEqualTo(1);
    }

    @Test
    void queuedCallsRunInArrivalOrderAndFailuresReleaseTheirSlot() throws Exception {
        ManualGateway delegate = new ManualGateway();
        LimitedModelGateway gateway = new LimitedModelGateway(delegate,
                new FairConcurrencyLimiter(1, 10, registry), registry);
        List<CompletableFuture<Completion>> futures = new ArrayList<>();
        for (String id : List.of("a", "b", "c", "d", "e")) {
            futures.add(gateway.complete(request(id), DeltaListener.NONE));
        }
        assertThat(gauge("kimi.model.gateway.queued")).isEqualTo(4);

        delegate.fail("a");
        delegate.finish("b");
        delegate.fail("c");
        delegate.finish("d");
        delegate.finish("e");

        assertThat(delegate.started).containsExactly("a", "b", "c", "d", "e");
        Throwable failed = catchThrowable(() -> futures.get(0).get(1, TimeUnit.SECONDS));
        assertThat(failed.getCause()).isInstanceOf(ModelCallFailedException.class);
        assertThat(futures.get(4).get(1, TimeUnit.SECONDS).text()).isEqualTo("ok");
        assertThat(gauge("kimi.model.gateway.active")).isZero();
        assertThat(registry.get("kimi.model.gateway.calls").tag("outcome", "UPSTREAM_ERROR").timer().count())
                .isEqualTo(2);
    }

    @Test
    void aNewcomerNeverOvertakesTheQueue() throws Exception {
        FairConcurrencyLimiter limiter = new FairConcurrencyLimiter(2, 10, registry);
        var first = limiter.acquire().get();
        var second = limiter.acquire().get();
        var third = limiter.acquire();
        var fourth = limiter.acquire();

        first.release();
        first.release(); // idempotent
        assertThat(third).isCompleted();
        assertThat(fourth).isNotDone();
        assertThat(limiter.active()).isEqualTo(2);

        var fifth = limiter.acquire();
        second.release();
        assertThat(fourth).isCompleted();
        assertThat(fifth).isNotDone();
        limiter.close();
    }

    @Test
    void cancellingAQueuedCallLeavesTheQueue() throws Exception {
        ManualGateway delegate = new ManualGateway();
        LimitedModelGateway gateway = new LimitedModelGateway(delegate,
                new FairConcurrencyLimiter(1, 2, registry), registry);
        gateway.complete(request("a"), DeltaListener.NONE);
        CompletableFuture<Completion> b = gateway.complete(request("b"), DeltaListener.NONE);
        CompletableFuture<Completion> c = gateway.complete(request("c"), DeltaListener.NONE);

        b.cancel(true);
        assertThat(gauge("kimi.model.gateway.queued")).isEqualTo(1);
        delegate.finish("a");

        assertThat(delegate.started).containsExactly("a", "c");
        delegate.finish("c");
        assertThat(c.get(1, TimeUnit.SECONDS).text()).isEqualTo("ok");
        assertThat(gauge("kimi.model.gateway.active")).isZero();
    }

    @Test
    void cancellingARunningCallCancelsTheDelegateAndFreesTheSlot() {
        ManualGateway delegate = new ManualGateway();
        LimitedModelGateway gateway = new LimitedModelGateway(delegate,
                new FairConcurrencyLimiter(1, 2, registry), registry);
        CompletableFuture<Completion> a = gateway.complete(request("a"), DeltaListener.NONE);

        a.cancel(true);

        assertThat(delegate.calls.get("a")).isCancelled();
        assertThat(gauge("kimi.model.gateway.active")).isZero();
    }

    @Test
    void waitingTooLongInTheQueueIsBusy() {
        ManualGateway delegate = new ManualGateway();
        LimitedModelGateway gateway = new LimitedModelGateway(delegate,
                new FairConcurrencyLimiter(1, 2, Duration.ofMillis(100), registry), registry);
        gateway.complete(request("a"), DeltaListener.NONE);

        CompletableFuture<Completion> b = gateway.complete(request("b"), DeltaListener.NONE);

        Throwable busy = catchThrowable(() -> b.get(2, TimeUnit.SECONDS));
        assertThat(busy.getCause()).isInstanceOf(ModelBusyException.class);
        assertThat(gauge("kimi.model.gateway.queued")).isZero();
        delegate.finish("a");
        assertThat(delegate.started).containsExactly("a");
        assertThat(gauge("kimi.model.gateway.active")).isZero();
    }

    @Test
    void metersCarryNoTagsExceptTheOutcome() throws Exception {
        ManualGateway delegate = new ManualGateway();
        LimitedModelGateway gateway = new LimitedModelGateway(delegate,
                new FairConcurrencyLimiter(1, 1, registry), registry);
        CompletableFuture<Completion> a = gateway.complete(request("user-request-77"), DeltaListener.NONE);
        delegate.finish("user-request-77");
        a.get(1, TimeUnit.SECONDS);

        for (Meter meter : registry.getMeters()) {
            assertThat(meter.getId().getTags()).allSatisfy(tag -> assertThat(tag.getKey()).isEqualTo("outcome"));
        }
    }

    @Test
    void closingTheLimiterUnregistersItsMetersSoANewOneCanReportAgain() throws Exception {
        FairConcurrencyLimiter old = new FairConcurrencyLimiter(1, 1, registry);
        old.acquire().get();
        old.close();
        assertThat(registry.find("kimi.model.gateway.active").gauge()).isNull();

        FairConcurrencyLimiter fresh = new FairConcurrencyLimiter(3, 1, registry);
        assertThat(gauge("kimi.model.gateway.active")).isZero();
        fresh.acquire().get();
        assertThat(gauge("kimi.model.gateway.active")).isEqualTo(1);
        fresh.close();
    }
}
