package net.kimik2.runtime.conversations;

import java.time.Duration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.kimik2.api.conversations.CompletePromptCommand;
import net.kimik2.api.conversations.FailPromptCommand;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.TokenUsage;
import net.kimik2.api.platform.MetadataKeys;
import net.kimik2.command.conversations.PromptRun;
import net.kimik2.runtime.conversations.gateway.ChatRequest;
import net.kimik2.runtime.conversations.gateway.Completion;
import net.kimik2.runtime.conversations.gateway.LimitedModelGateway;
import net.kimik2.runtime.conversations.gateway.ModelBusyException;
import net.kimik2.runtime.conversations.gateway.ModelCallFailedException;
import net.kimik2.command.conversations.Pricing;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import jakarta.annotation.PreDestroy;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Runs accepted prompts: streams the model's answer to {@link PromptStreams} and settles the prompt with the
 * provider's usage (complete: capture the cost) or without an answer (fail: release the hold). Settling is retried a
 * few times; if the service dies before, the prompt's and the hold's deadlines clean up.
 */
@Component
class PromptRunner {

    private static final Logger log = LoggerFactory.getLogger(PromptRunner.class);
    private static final int SETTLE_ATTEMPTS = 5;

    private final LimitedModelGateway gateway;
    private final PromptStreams streams;
    private final CommandGateway commands;
    private final MeterRegistry meters;
    private final Counter charged;
    /** Settling sends commands and may retry with a pause: never on a gateway or HTTP thread. */
    private final ExecutorService settlers = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "prompt-runner-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    PromptRunner(LimitedModelGateway gateway, PromptStreams streams, CommandGateway commands,
                 ObjectProvider<MeterRegistry> meters) {
        this.gateway = gateway;
        this.streams = streams;
        this.commands = commands;
        this.meters = meters.getIfAvailable(SimpleMeterRegistry::new);
        this.charged = Counter.builder("kimi.prompts.charged.credits")
                .description("credits captured for answered prompts").register(this.meters);
    }

    /** Makes the stream exist from acceptance on, so an immediate subscriber finds it. */
    void register(PromptRun job) {
        streams.open(job.promptId(), job.conversationId(), job.userId());
    }

    void forget(String promptId) {
        streams.forget(promptId);
    }

    /**
     * Starts the call on a runner thread. Never on the caller's: it is called from the accepting unit of work's
     * after-commit hook, where that unit of work is still current, and a call that fails or completes at once would
     * settle (send commands) inside it.
     */
    void start(PromptRun job) {
        settlers.execute(() -> run(job));
    }

    private void run(PromptRun job) {
        long started = System.nanoTime();
        ChatRequest request = new ChatRequest(job.price().modelId(), job.context(), job.maxTokens(), job.promptId());
        gateway.complete(request, delta -> streams.delta(job.promptId(), delta))
                .whenCompleteAsync((completion, error) -> {
                    String outcome;
                    if (error == null) {
                        outcome = complete(job, completion);
                    } else {
                        outcome = fail(job, error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error);
                    }
                    Timer.builder("kimi.prompts.duration").description("from acceptance to settlement")
                            .tag("model", job.price().modelId()).tag("outcome", outcome).register(meters)
                            .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                }, settlers);
    }

    private String complete(PromptRun job, Completion completion) {
        var usage = completion.usage();
        TokenUsage tokenUsage = new TokenUsage(usage.promptTokens(), usage.cachedTokens(), usage.completionTokens(),
                Pricing.cost(usage, job.price()), job.price().priceVersion(), !completion.usageReported());
        boolean settled = settle(job, new CompletePromptCommand(job.conversationId(), job.userId(), job.promptId(),
                completion.text(), completion.modelId(), completion.finishReason(), tokenUsage));
        if (settled) {
            charged.increment(tokenUsage.costCredits());
            streams.finish(job.promptId(), tokenUsage);
            return "answered";
        }
        streams.fail(job.promptId(), PromptFailureCode.INTERRUPTED);
        return PromptFailureCode.INTERRUPTED.name();
    }

    private String fail(PromptRun job, Throwable error) {
        PromptFailureCode code = failureCode(error);
        if (!(error instanceof ModelBusyException) && !(error instanceof ModelCallFailedException)) {
            log.error("prompt {} failed unexpectedly: {}", job.promptId(), error.getClass().getName());
        }
        settle(job, new FailPromptCommand(job.conversationId(), job.userId(), job.promptId(), code));
        streams.fail(job.promptId(), code);
        return code.name();
    }

    private boolean settle(PromptRun job, Object command) {
        var message = GenericCommandMessage.asCommandMessage(command)
                .withMetaData(MetaData.with(MetadataKeys.ACTOR_ID, MetadataKeys.SYSTEM_ACTOR));
        for (int attempt = 1; ; attempt++) {
            try {
                commands.sendAndWait(message);
                return true;
            } catch (RuntimeException e) {
                if (attempt >= SETTLE_ATTEMPTS) {
                    log.error("prompt {} could not be settled after {} attempts ({}); its deadlines will",
                            job.promptId(), attempt, e.getClass().getSimpleName());
                    return false;
                }
                log.warn("prompt {} settle attempt {} failed ({}), retrying", job.promptId(), attempt,
                        e.getClass().getSimpleName());
                sleep(Duration.ofMillis(200L << attempt));
            }
        }
    }

    /** Lets running settlements finish (they are short) before the command bus goes away. */
    @PreDestroy
    void stop() throws InterruptedException {
        settlers.shutdown();
        settlers.awaitTermination(10, TimeUnit.SECONDS);
    }

    static PromptFailureCode failureCode(Throwable error) {
        if (error instanceof ModelBusyException) {
            return PromptFailureCode.BUSY;
        }
        if (error instanceof ModelCallFailedException failed) {
            return switch (failed.reason()) {
                case RATE_LIMITED -> PromptFailureCode.RATE_LIMITED;
                case TIMEOUT_CONNECT, TIMEOUT_FIRST_TOKEN, TIMEOUT_IDLE -> PromptFailureCode.TIMEOUT;
                case STREAM_CUT -> PromptFailureCode.STREAM_CUT;
                case EMPTY_ANSWER -> PromptFailureCode.EMPTY_ANSWER;
                case UPSTREAM_ERROR -> PromptFailureCode.UPSTREAM_ERROR;
            };
        }
        return PromptFailureCode.UPSTREAM_ERROR;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
