package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.ChatMessage;
import net.kimik2.command.conversations.TokenEstimator;
import net.kimik2.command.conversations.Usage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stand-in model used when no API key is configured: no network, clearly labelled, deterministic.
 *
 * <p>The answer is a short synthetic text derived from the prompt (its message and word counts and a hash of the
 * last user message; the prompt text itself is never echoed), streamed in several chunks with a small delay.
 * The model id is {@code offline:<requested model>}. It reports usage as a provider would
 * ({@code usageReported = true}): prompt tokens from {@link TokenEstimator#estimatePromptTokens}, completion tokens
 * from {@link TokenEstimator#estimateTokens} of the answer; the answer is cut to fit {@code maxTokens}
 * (finish reason {@code length}), otherwise the finish reason is {@code stop}.
 */
public final class OfflineModel implements ModelGateway, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OfflineModel.class);

    public static final String MODEL_PREFIX = "offline:";
    public static final Duration DEFAULT_CHUNK_DELAY = Duration.ofMillis(10);

    private final Duration chunkDelay;
    private final ScheduledExecutorService scheduler;

    public OfflineModel() {
        this(DEFAULT_CHUNK_DELAY);
    }

    public OfflineModel(Duration chunkDelay) {
        Objects.requireNonNull(chunkDelay, "chunkDelay");
        if (chunkDelay.isNegative()) {
            throw new IllegalArgumentException("chunkDelay must not be negative: " + chunkDelay);
        }
        this.chunkDelay = chunkDelay;
        AtomicInteger counter = new AtomicInteger();
        this.scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "offline-model-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public CompletableFuture<Completion> complete(ChatRequest request, DeltaListener listener) {
        Objects.requireNonNull(request, "request");
        DeltaListener target = listener == null ? DeltaListener.NONE : listener;
        CompletableFuture<Completion> result = new CompletableFuture<>();
        String fullAnswer = answer(request);
        int promptTokens = TokenEstimator.estimatePromptTokens(request.messages());
        String answer = fitToTokens(fullAnswer, request.maxTokens());
        String finishReason = answer.length() < fullAnswer.length() ? "length" : "stop";
        List<String> chunks = chunks(answer);
        Completion completion = new Completion(answer,
                new Usage(promptTokens, 0, TokenEstimator.estimateTokens(answer)), true, finishReason,
                MODEL_PREFIX + request.model());
        new Stream(chunks, target, result, completion, request).next(0);
        return result;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** The deterministic synthetic answer for a request (before fitting to maxTokens). */
    static String answer(ChatRequest request) {
        String lastUser = "";
        long words = 0;
        for (ChatMessage message : request.messages()) {
            if (message.role().equals("user")) {
                lastUser = message.content();
            }
            String trimmed = message.content().strip();
            if (!trimmed.isEmpty()) {
                words += trimmed.split("\\s+").length;
            }
        }
        String fingerprint = fingerprint(lastUser);
        return "[offline model] This is a synthetic answer: no model API key is configured, so no real model was "
                + "called. Your conversation has " + request.messages().size() + " message"
                + (request.messages().size() == 1 ? "" : "s") + " and " + words + " word" + (words == 1 ? "" : "s")
                + "; the fingerprint of your last message is " + fingerprint + ". Set KIMI_MODEL_API_KEY to get real "
                + "answers from " + request.model() + ".";
    }

    private static String fingerprint(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** The longest prefix of {@code answer}, cut at a word boundary where possible, within {@code maxTokens}. */
    static String fitToTokens(String answer, int maxTokens) {
        if (TokenEstimator.estimateTokens(answer) <= maxTokens) {
            return answer;
        }
        int end = answer.length();
        while (end > 0 && TokenEstimator.estimateTokens(answer.substring(0, end)) > maxTokens) {
            end--;
        }
        int space = answer.lastIndexOf(' ', end);
        if (space > 0 && TokenEstimator.estimateTokens(answer.substring(0, space)) > 0) {
            end = space;
        }
        return answer.substring(0, Math.max(end, Math.min(1, answer.length())));
    }

    /** Splits into word-sized chunks (each with its leading space), grouped so there are at most ~24 chunks. */
    static List<String> chunks(String answer) {
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 1; i < answer.length(); i++) {
            if (answer.charAt(i) == ' ') {
                words.add(answer.substring(start, i));
                start = i;
            }
        }
        words.add(answer.substring(start));
        int perChunk = Math.max(1, (words.size() + 23) / 24);
        List<String> chunks = new ArrayList<>();
        for (int i = 0; i < words.size(); i += perChunk) {
            chunks.add(String.join("", words.subList(i, Math.min(words.size(), i + perChunk))));
        }
        return chunks;
    }

    private final class Stream {
        private final List<String> chunks;
        private final DeltaListener listener;
        private final CompletableFuture<Completion> result;
        private final Completion completion;
        private final ChatRequest request;
        private boolean listenerGone;

        Stream(List<String> chunks, DeltaListener listener, CompletableFuture<Completion> result,
               Completion completion, ChatRequest request) {
            this.chunks = chunks;
            this.listener = listener;
            this.result = result;
            this.completion = completion;
            this.request = request;
        }

        void next(int index) {
            try {
                scheduler.schedule(() -> emit(index), chunkDelay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RuntimeException rejected) {
                result.completeExceptionally(new ModelCallFailedException(ModelCallFailedException.Reason.UPSTREAM_ERROR,
                        "offline model shut down", String.join("", chunks.subList(0, index)), index, null, 1,
                        rejected));
            }
        }

        private void emit(int index) {
            if (result.isDone()) {
                return; // cancelled
            }
            if (index >= chunks.size()) {
                log.debug("offline model answered model={} requestId={} chunks={} usage={}", request.model(),
                        request.requestId(), chunks.size(), completion.usage());
                result.complete(completion);
                return;
            }
            if (!listenerGone) {
                try {
                    listener.onDelta(chunks.get(index));
                } catch (VirtualMachineError fatal) {
                    throw fatal;
                } catch (Throwable gone) {
                    listenerGone = true;
                    log.info("offline model listener failed ({}); finishing the answer requestId={}",
                            gone.getClass().getSimpleName(), request.requestId());
                }
            }
            next(index + 1);
        }
    }

    @Override
    public String toString() {
        return "OfflineModel[chunkDelay=" + chunkDelay + "]";
    }
}
