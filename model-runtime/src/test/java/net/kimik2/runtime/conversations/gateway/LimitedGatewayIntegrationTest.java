package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.ChatMessage;

import static net.kimik2.runtime.conversations.gateway.SseStub.delta;
import static net.kimik2.runtime.conversations.gateway.SseStub.done;
import static net.kimik2.runtime.conversations.gateway.SseStub.moonshotFinal;
import static net.kimik2.runtime.conversations.gateway.SseStub.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The limiter in front of the real HTTP gateway, against the SSE stub. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LimitedGatewayIntegrationTest {

    @Test
    void limitOneQueueOneRejectsTheThirdConcurrentCallAndServesTheRestInOrder() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SseStub stub = new SseStub();
             LimitedModelGateway gateway = new LimitedModelGateway(
                     new OpenAiCompatibleGateway(OpenAiCompatibleGateway.Settings.of(stub.baseUrl(), "k")
                             .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5))),
                     new FairConcurrencyLimiter(1, 1, registry), registry)) {
            stub.then(exchange -> {
                release.await(5, TimeUnit.SECONDS);
                stream(delta("first"), moonshotFinal("stop", 3, 0, 1), done()).respond(exchange);
            }, stream(delta("second"), moonshotFinal("stop", 3, 0, 1), done()));

            CompletableFuture<Completion> first = gateway.complete(request("r1"), DeltaListener.NONE);
            waitFor(() -> stub.received.size() == 1);
            CompletableFuture<Completion> second = gateway.complete(request("r2"), DeltaListener.NONE);
            CompletableFuture<Completion> third = gateway.complete(request("r3"), DeltaListener.NONE);

            Throwable busy = catchThrowable(() -> third.get(1, TimeUnit.SECONDS));
            assertThat(busy).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ModelBusyException.class);
            assertThat(stub.received).hasSize(1);

            release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS).text()).isEqualTo("first");
            assertThat(second.get(5, TimeUnit.SECONDS).text()).isEqualTo("second");
            assertThat(stub.received).hasSize(2);
            assertThat(gateway.limiter().active()).isZero();
        }
    }

    private static ChatRequest request(String id) {
        return new ChatRequest(SseStub.MODEL, List.of(ChatMessage.user("hello")), 32, id);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in time");
            }
            Thread.sleep(10);
        }
    }
}
