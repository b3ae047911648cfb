package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.ChatMessage;
import net.kimik2.command.conversations.TokenEstimator;
import net.kimik2.command.conversations.Usage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Flow;
import net.kimik2.runtime.conversations.gateway.ModelCallFailedException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ModelGateway} for OpenAI-compatible streaming chat completions (Moonshot's Kimi API and the like).
 *
 * <p>Sends {@code POST {baseUrl}/chat/completions} with {@code stream: true} and
 * {@code stream_options.include_usage: true}, reads the server-sent events as they arrive and hands every
 * {@code choices[0].delta.content} to the listener. The call ends successfully on {@code data: [DONE]}, or on a
 * clean end of stream after a usage report or a finish reason.
 *
 * <p>Timeouts: connect (HttpClient), first token (from sending the request to the first generated token, headers
 * included; {@code reasoning_content} counts as generated), idle (the longest gap between two data chunks once
 * tokens flow; time spent inside the listener does not count; keep-alive comments do not reset it).
 *
 * <p>Retries, with exponential backoff and jitter, happen only while nothing has been generated: 429 (honouring
 * {@code Retry-After} up to {@link Settings#maxRetryAfter()}, except quota errors), 408, 5xx, connection failures,
 * a connection lost before the first token and the first-token timeout. Nothing is retried once a token arrived.
 *
 * <p>Logs carry the model, our request id, the provider's completion id, status, durations and token counts:
 * never prompt or answer text, never the API key.
 */
public final class OpenAiCompatibleGateway implements ModelGateway, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpenAiCompatibleGateway.class);

    private static final int MAX_LINE_BYTES = 4 * 1024 * 1024;
    private static final int MAX_EVENT_CHARS = 4 * 1024 * 1024;
    private static final int MAX_ERROR_BODY_BYTES = 8 * 1024;

    /**
     * Settings of the gateway.
     *
     * @param baseUrl           e.g. {@code https://api.moonshot.ai/v1}; requests go to {@code baseUrl + "/chat/completions"}
     * @param apiKey            the bearer key (never logged)
     * @param connectTimeout    TCP/TLS connect timeout
     * @param firstTokenTimeout from sending the request until the first generated token
     * @param idleTimeout       longest gap between two chunks once tokens flow
     * @param maxAttempts       attempts in total (1 = no retry), retries only before the first token
     * @param initialBackoff    backoff before the first retry, doubled each retry, with jitter
     * @param maxBackoff        upper bound of the backoff
     * @param maxRetryAfter     the longest {@code Retry-After} we wait for; a longer one fails the call at once
     */
    public record Settings(URI baseUrl, String apiKey, Duration connectTimeout, Duration firstTokenTimeout,
                           Duration idleTimeout, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                           Duration maxRetryAfter) {

        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
        public static final Duration DEFAULT_FIRST_TOKEN_TIMEOUT = Duration.ofSeconds(30);
        public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
        public static final int DEFAULT_MAX_ATTEMPTS = 3;
        public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
        public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(8);
        public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(20);

        public Settings {
            Objects.requireNonNull(baseUrl, "baseUrl");
            Objects.requireNonNull(apiKey, "apiKey");
            if (apiKey.isBlank()) {
                throw new IllegalArgumentException("apiKey must not be blank");
            }
            String scheme = baseUrl.getScheme();
            if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("baseUrl must be http(s): " + baseUrl);
            }
            requirePositive(connectTimeout, "connectTimeout");
            requirePositive(firstTokenTimeout, "firstTokenTimeout");
            requirePositive(idleTimeout, "idleTimeout");
            requireNotNegative(initialBackoff, "initialBackoff");
            requireNotNegative(maxBackoff, "maxBackoff");
            requireNotNegative(maxRetryAfter, "maxRetryAfter");
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
            }
        }

        /** The defaults: 5 s connect, 30 s first token, 30 s idle, 3 attempts, 0.5 s..8 s backoff, 20 s max Retry-After. */
        public static Settings of(String baseUrl, String apiKey) {
            return new Settings(URI.create(baseUrl), apiKey, DEFAULT_CONNECT_TIMEOUT, DEFAULT_FIRST_TOKEN_TIMEOUT,
                    DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF,
                    DEFAULT_MAX_RETRY_AFTER);
        }

        public Settings withTimeouts(Duration connect, Duration firstToken, Duration idle) {
            return new Settings(baseUrl, apiKey, connect, firstToken, idle, maxAttempts, initialBackoff, maxBackoff,
                    maxRetryAfter);
        }

        public Settings withRetries(int attempts, Duration initial, Duration max, Duration maxRetryAfterWait) {
            return new Settings(baseUrl, apiKey, connectTimeout, firstTokenTimeout, idleTimeout, attempts, initial,
                    max, maxRetryAfterWait);
        }

        URI endpoint() {
            String base = baseUrl.toString();
            while (base.endsWith("/")) {
                base = base.substring(0, base.length() - 1);
            }
            return URI.create(base + "/chat/completions");
        }

        /** Never prints the key. */
        @Override
        public String toString() {
            return "Settings[baseUrl=" + baseUrl + ", connectTimeout=" + connectTimeout + ", firstTokenTimeout="
                    + firstTokenTimeout + ", idleTimeout=" + idleTimeout + ", maxAttempts=" + maxAttempts
                    + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff + ", maxRetryAfter="
                    + maxRetryAfter + "]";
        }

        private static void requirePositive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
        }

        private static void requireNotNegative(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: " + value);
            }
        }
    }

    private final Settings settings;
    private final URI endpoint;
    private final ObjectMapper mapper;
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;
    private final HttpClient client;

    public OpenAiCompatibleGateway(Settings settings) {
        this(settings, new ObjectMapper());
    }

    public OpenAiCompatibleGateway(Settings settings, ObjectMapper mapper) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.endpoint = settings.endpoint();
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.executor = Executors.newCachedThreadPool(daemonThreads("model-gateway-"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("model-gateway-timer-"));
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor);
        if ("http".equalsIgnoreCase(settings.baseUrl().getScheme())) {
            builder.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance on plain HTTP
        }
        this.client = builder.build();
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public CompletableFuture<Completion> complete(ChatRequest request, DeltaListener listener) {
        Objects.requireNonNull(request, "request");
        CompletableFuture<Completion> result = new CompletableFuture<>();
        Call call;
        try {
            call = new Call(request, listener == null ? DeltaListener.NONE : listener, result, requestBody(request));
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(new ModelCallFailedException(Reason.UPSTREAM_ERROR,
                    "could not build the request", "", 0, null, 0, e));
            return result;
        }
        result.whenComplete((completion, error) -> {
            if (error instanceof CancellationException) {
                call.cancel();
            }
        });
        call.nextAttempt();
        return result;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        executor.shutdownNow();
    }

    private byte[] requestBody(ChatRequest request) throws IOException {
        ObjectNode body = mapper.createObjectNode();
        body.put("model", request.model());
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            messages.addObject().put("role", message.role()).put("content", message.content());
        }
        body.put("max_tokens", request.maxTokens());
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        return mapper.writeValueAsBytes(body);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    static long retryAfterMillis(HttpHeaders headers) {
        String value = headers.firstValue("retry-after").map(String::trim).orElse(null);
        if (value == null || value.isEmpty()) {
            return -1;
        }
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? -1 : Math.multiplyExact(Math.min(seconds, 86_400L), 1000L);
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis());
            } catch (DateTimeParseException notDate) {
                return -1;
            }
        }
    }

    /** What one failed attempt tells the retry logic. */
    private record AttemptFailure(Reason reason, String message, boolean retryable, long retryAfterMillis,
                                  Integer status, String partialText, int deltas, Usage usage, Throwable cause) {
    }

    /** One {@link #complete} call: a sequence of attempts. */
    private final class Call {
        final ChatRequest request;
        final DeltaListener listener;
        final CompletableFuture<Completion> result;
        final byte[] body;
        final long startNanos = System.nanoTime();
        private final Object lock = new Object();
        private int attempts;
        private boolean cancelled;
        private Attempt current;
        private ScheduledFuture<?> pendingRetry;
        private volatile boolean listenerGone;

        Call(ChatRequest request, DeltaListener listener, CompletableFuture<Completion> result, byte[] body) {
            this.request = request;
            this.listener = listener;
            this.result = result;
            this.body = body;
        }

        void nextAttempt() {
            Attempt attempt;
            synchronized (lock) {
                if (cancelled) {
                    return;
                }
                attempts++;
                attempt = new Attempt(this, attempts);
                current = attempt;
                pendingRetry = null;
            }
            try {
                attempt.start();
            } catch (RuntimeException e) {
                attempt.fail(Reason.UPSTREAM_ERROR, "could not send the request", false, -1, null, e);
            }
        }

        void cancel() {
            Attempt attempt;
            ScheduledFuture<?> retry;
            synchronized (lock) {
                cancelled = true;
                attempt = current;
                retry = pendingRetry;
            }
            if (retry != null) {
                retry.cancel(false);
            }
            if (attempt != null) {
                attempt.abort();
            }
            log.info("model call cancelled by caller model={} requestId={} attempts={}", request.model(),
                    request.requestId(), attempts);
        }

        /** Delivers one delta to the listener; a listener failure only stops further deliveries. */
        void deliver(String text) {
            if (listenerGone) {
                return;
            }
            try {
                listener.onDelta(text);
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable gone) {
                listenerGone = true;
                log.info("model call listener failed ({}); reading on for the usage report model={} requestId={}",
                        gone.getClass().getSimpleName(), request.model(), request.requestId());
            }
        }

        void succeeded(Attempt attempt, Completion completion, int status, String upstreamId, long firstTokenNanos) {
            long now = System.nanoTime();
            log.info("model call ok model={} requestId={} upstreamId={} status={} attempts={} firstTokenMs={} "
                            + "durationMs={} promptTokens={} cachedTokens={} completionTokens={} usageReported={} "
                            + "finishReason={}",
                    request.model(), request.requestId(), upstreamId, status, attempt.number,
                    firstTokenNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(firstTokenNanos - startNanos),
                    TimeUnit.NANOSECONDS.toMillis(now - startNanos), completion.usage().promptTokens(),
                    completion.usage().cachedTokens(), completion.usage().completionTokens(),
                    completion.usageReported(), completion.finishReason());
            onExecutor(() -> result.complete(completion));
        }

        void failed(Attempt attempt, AttemptFailure failure) {
            long delayMillis = -1;
            synchronized (lock) {
                if (cancelled) {
                    return;
                }
                if (failure.retryable() && attempt.number < settings.maxAttempts()) {
                    if (failure.retryAfterMillis() >= 0) {
                        if (failure.retryAfterMillis() <= settings.maxRetryAfter().toMillis()) {
                            delayMillis = failure.retryAfterMillis();
                        }
                    } else {
                        delayMillis = backoffMillis(attempt.number);
                    }
                }
                if (delayMillis >= 0) {
                    pendingRetry = timer.schedule(() -> executor.execute(this::nextAttempt), delayMillis,
                            TimeUnit.MILLISECONDS);
                }
            }
            if (delayMillis >= 0) {
                log.warn("model call attempt failed, retrying model={} requestId={} attempt={} reason={} status={} "
                                + "detail={} retryInMs={}",
                        request.model(), request.requestId(), attempt.number, failure.reason(), failure.status(),
                        failure.message(), delayMillis);
                return;
            }
            log.warn("model call failed model={} requestId={} attempts={} reason={} status={} detail={} durationMs={} "
                            + "deliveredChunks={} usageReported={}",
                    request.model(), request.requestId(), attempt.number, failure.reason(), failure.status(),
                    failure.message(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                    failure.deltas(), failure.usage() != null);
            ModelCallFailedException exception = new ModelCallFailedException(failure.reason(), failure.message(),
                    failure.partialText(), failure.deltas(), failure.usage(), attempt.number, failure.cause());
            onExecutor(() -> result.completeExceptionally(exception));
        }

        /**
         * Completes the caller's future on a gateway thread, never on the HttpClient's selector or the timer thread,
         * so that the caller's continuations cannot stall the I/O of other calls.
         */
        private void onExecutor(Runnable completion) {
            try {
                executor.execute(completion);
            } catch (java.util.concurrent.RejectedExecutionException shutDown) {
                completion.run();
            }
        }

        private long backoffMillis(int failedAttempt) {
            long initial = settings.initialBackoff().toMillis();
            long max = settings.maxBackoff().toMillis();
            long exponential = initial << Math.min(failedAttempt - 1, 20);
            long capped = Math.min(max, exponential < 0 ? max : exponential);
            if (capped <= 1) {
                return capped;
            }
            long half = capped / 2; // "equal jitter": between half and all of the exponential delay
            return half + ThreadLocalRandom.current().nextLong(capped - half + 1);
        }
    }

    /** One HTTP exchange. State transitions happen under {@code lock}; the first outcome wins. */
    private final class Attempt {
        final Call call;
        final int number;
        private final Object lock = new Object();
        private final long sentNanos = System.nanoTime();
        private boolean done;
        private boolean aborted;
        private CompletableFuture<HttpResponse<Void>> response;
        private Flow.Subscription subscription;
        private CompletableFuture<Void> body; // the active body subscriber's result, completed on any outcome
        private ScheduledFuture<?> watchdog;
        private int status = -1;
        // stream progress
        private boolean started;
        private long firstTokenNanos = -1;
        private long lastProgressNanos;
        private boolean inDelivery;
        private final StringBuilder text = new StringBuilder();
        private int deltas;
        private Usage usage;
        private String finishReason;
        private String modelId;
        private String upstreamId;

        Attempt(Call call, int number) {
            this.call = call;
            this.number = number;
        }

        void start() {
            HttpRequest httpRequest = HttpRequest.newBuilder(endpoint)
                    .header("Authorization", "Bearer " + settings.apiKey())
                    .header("Content-Type", "application/json")
                    .header("Accept", "text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(call.body))
                    .build();
            synchronized (lock) {
                watchdog = timer.schedule(this::onWatchdog, settings.firstTokenTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
                response = client.sendAsync(httpRequest, this::bodyHandler);
            }
            response.whenCompleteAsync((ignored, error) -> {
                if (error != null) {
                    onTransportError(unwrap(error));
                }
            }, executor);
        }

        private HttpResponse.BodySubscriber<Void> bodyHandler(HttpResponse.ResponseInfo info) {
            synchronized (lock) {
                status = info.statusCode();
            }
            String contentType = info.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
            if (info.statusCode() == 200 && contentType.startsWith("text/event-stream")) {
                return new SseSubscriber();
            }
            return new ErrorBodySubscriber(info);
        }

        // ---- outcomes ----

        void abort() {
            synchronized (lock) {
                aborted = true;
            }
            fail(Reason.UPSTREAM_ERROR, "cancelled by caller", false, -1, null, null);
        }

        void fail(Reason reason, String message, boolean retryable, long retryAfterMillis, Integer failedStatus,
                  Throwable cause) {
            AttemptFailure failure;
            Flow.Subscription toCancel;
            CompletableFuture<HttpResponse<Void>> toAbort;
            boolean wasAborted;
            synchronized (lock) {
                if (done) {
                    return;
                }
                done = true;
                wasAborted = aborted;
                cancelWatchdog();
                completeBody();
                toCancel = subscription;
                toAbort = subscription == null ? response : null;
                failure = new AttemptFailure(reason, message, retryable && !started, retryAfterMillis,
                        failedStatus != null ? failedStatus : (status > 0 ? status : null), text.toString(), deltas,
                        usage, cause);
            }
            if (toCancel != null) {
                toCancel.cancel();
            }
            if (toAbort != null) {
                toAbort.cancel(true);
            }
            if (!wasAborted) {
                call.failed(this, failure);
            }
        }

        private void succeed() {
            Completion completion;
            int okStatus;
            String id;
            long firstToken;
            Flow.Subscription toCancel;
            synchronized (lock) {
                if (done) {
                    return;
                }
                done = true;
                cancelWatchdog();
                completeBody();
                toCancel = subscription;
                boolean reported = usage != null;
                Usage effective = reported ? usage
                        : new Usage(TokenEstimator.estimatePromptTokens(call.request.messages()), 0, deltas);
                completion = new Completion(text.toString(), effective, reported, finishReason,
                        modelId != null ? modelId : call.request.model());
                okStatus = status;
                id = upstreamId;
                firstToken = firstTokenNanos;
            }
            if (toCancel != null) {
                toCancel.cancel(); // after [DONE] nothing more is needed
            }
            call.succeeded(this, completion, okStatus, id, firstToken);
        }

        /**
         * The stream is over: {@code data: [DONE]}, a clean end of body, or a dropped connection.
         * A usage report or a finish reason means the answer is complete even without {@code [DONE]} (the
         * usage is then the provider's, or estimated when only the finish reason came). Without any of them the
         * stream was cut: after a token that is STREAM_CUT, before any token an upstream error worth a retry.
         */
        private void onStreamOver(boolean doneMarker, Throwable transportError) {
            boolean empty;
            boolean terminal;
            boolean wasStarted;
            synchronized (lock) {
                if (done) {
                    return;
                }
                empty = text.length() == 0;
                terminal = doneMarker || usage != null || finishReason != null;
                wasStarted = started;
            }
            String how = transportError == null ? "" : " (" + transportError.getClass().getSimpleName() + ")";
            if (terminal && empty) {
                fail(Reason.EMPTY_ANSWER, "the stream carried no answer text", false, -1, null, null);
            } else if (terminal) {
                succeed();
            } else if (wasStarted) {
                fail(Reason.STREAM_CUT, "the stream ended without [DONE], finish reason or usage" + how, false, -1,
                        null, transportError);
            } else {
                fail(Reason.UPSTREAM_ERROR, "the stream ended before any token" + how, true, -1, null,
                        transportError);
            }
        }

        private void onTransportError(Throwable error) {
            if (error instanceof CancellationException) {
                return; // we cancelled it ourselves after a timeout or abort
            }
            boolean inBody;
            synchronized (lock) {
                if (done) {
                    return;
                }
                inBody = subscription != null;
            }
            if (inBody) {
                onStreamOver(false, error);
            } else if (isConnectTimeout(error)) {
                fail(Reason.TIMEOUT_CONNECT, "connect timed out", true, -1, null, error);
            } else {
                fail(Reason.UPSTREAM_ERROR, "request failed (" + error.getClass().getSimpleName() + ")", true, -1,
                        null, error);
            }
        }

        private boolean isConnectTimeout(Throwable error) {
            for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof HttpConnectTimeoutException) {
                    return true;
                }
            }
            return false;
        }

        private void onErrorStatus(HttpResponse.ResponseInfo info, byte[] errorBody) {
            int code = info.statusCode();
            String errorType = errorType(errorBody);
            String detail = "HTTP " + code + (errorType == null ? "" : " " + errorType);
            if (code == 200) {
                fail(Reason.UPSTREAM_ERROR, "unexpected content type "
                        + StreamChunk.sanitize(info.headers().firstValue("content-type").orElse("none")),
                        false, -1, code, null);
            } else if (code == 429) {
                boolean quota = errorType != null && (errorType.contains("quota") || errorType.contains("balance"));
                fail(Reason.RATE_LIMITED, detail, !quota, retryAfterMillis(info.headers()), code, null);
            } else if (code == 408 || code >= 500) {
                fail(Reason.UPSTREAM_ERROR, detail, true, retryAfterMillis(info.headers()), code, null);
            } else {
                fail(Reason.UPSTREAM_ERROR, detail, false, -1, code, null);
            }
        }

        private String errorType(byte[] errorBody) {
            if (errorBody.length == 0) {
                return null;
            }
            try {
                var root = mapper.readTree(errorBody);
                var error = root == null ? null : root.get("error");
                if (error != null && error.isObject()) {
                    for (String field : new String[] {"type", "code"}) {
                        var value = error.get(field);
                        if (value != null && !value.isNull() && !value.asText().isBlank()) {
                            return StreamChunk.sanitize(value.asText());
                        }
                    }
                }
            } catch (IOException | RuntimeException notJson) {
                // an HTML error page or truncated body: the status says enough
            }
            return null;
        }

        // ---- timeouts ----

        private void onWatchdog() {
            long now = System.nanoTime();
            Reason reason = null;
            long next = -1;
            synchronized (lock) {
                if (done) {
                    return;
                }
                if (!started) {
                    long due = sentNanos + settings.firstTokenTimeout().toNanos();
                    if (now - due >= 0) {
                        reason = Reason.TIMEOUT_FIRST_TOKEN;
                    } else {
                        next = due - now;
                    }
                } else if (inDelivery) {
                    next = settings.idleTimeout().toNanos();
                } else {
                    long due = lastProgressNanos + settings.idleTimeout().toNanos();
                    if (now - due >= 0) {
                        reason = Reason.TIMEOUT_IDLE;
                    } else {
                        next = due - now;
                    }
                }
                if (reason == null) {
                    watchdog = timer.schedule(this::onWatchdog, Math.max(next, 1_000_000L), TimeUnit.NANOSECONDS);
                }
            }
            if (reason != null) {
                Reason timeout = reason;
                String message = timeout == Reason.TIMEOUT_FIRST_TOKEN
                        ? "no token within " + settings.firstTokenTimeout().toMillis() + " ms"
                        : "no chunk for " + settings.idleTimeout().toMillis() + " ms";
                executor.execute(() -> fail(timeout, message, timeout == Reason.TIMEOUT_FIRST_TOKEN, -1, null, null));
            }
        }

        private void completeBody() {
            if (body != null) {
                body.complete(null); // lets the HttpClient's response future finish too
            }
        }

        private void cancelWatchdog() {
            if (watchdog != null) {
                watchdog.cancel(false);
                watchdog = null;
            }
        }

        // ---- stream events ----

        private void onEvent(String event, String data) {
            if (data.strip().equals("[DONE]")) {
                onStreamOver(true, null);
                return;
            }
            StreamChunk chunk = StreamChunk.parse(mapper, data);
            if (chunk.isError() || "error".equals(event)) {
                fail(Reason.UPSTREAM_ERROR, "error event " + (chunk.errorType() == null ? "" : chunk.errorType()),
                        true, -1, null, null);
                return;
            }
            String content = chunk.content();
            boolean hasContent = content != null && !content.isEmpty();
            boolean hasReasoning = chunk.reasoning() != null && !chunk.reasoning().isEmpty();
            synchronized (lock) {
                if (done) {
                    return;
                }
                long now = System.nanoTime();
                if (chunk.model() != null) {
                    modelId = chunk.model();
                }
                if (chunk.id() != null) {
                    upstreamId = StreamChunk.sanitize(chunk.id());
                }
                if (chunk.usage() != null) {
                    usage = chunk.usage();
                    if (chunk.cachedClamped()) {
                        log.warn("provider reported more cached than prompt tokens; clamped model={} requestId={}",
                                call.request.model(), call.request.requestId());
                    }
                }
                if (chunk.finishReason() != null) {
                    finishReason = chunk.finishReason();
                }
                if ((hasContent || hasReasoning) && !started) {
                    started = true;
                    firstTokenNanos = now;
                    // from now on the idle timeout applies: re-arm the watchdog for it
                    cancelWatchdog();
                    watchdog = timer.schedule(this::onWatchdog, settings.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
                }
                if (started) {
                    lastProgressNanos = now;
                }
                if (!hasContent) {
                    return;
                }
                text.append(content);
                deltas++;
                inDelivery = true;
            }
            try {
                call.deliver(content);
            } finally {
                synchronized (lock) {
                    inDelivery = false;
                    lastProgressNanos = System.nanoTime();
                }
            }
        }

        private boolean isDone() {
            synchronized (lock) {
                return done;
            }
        }

        /** Reads the event stream; requests one buffer list at a time (back-pressure towards the server). */
        private final class SseSubscriber implements HttpResponse.BodySubscriber<Void>, SseDecoder.Handler {
            private final CompletableFuture<Void> result = new CompletableFuture<>();
            private final SseDecoder decoder = new SseDecoder(MAX_LINE_BYTES, MAX_EVENT_CHARS);
            private Flow.Subscription upstream;

            @Override
            public CompletionStage<Void> getBody() {
                return result;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                boolean cancel;
                synchronized (lock) {
                    cancel = done;
                    if (!done) {
                        subscription = s;
                        body = result;
                    }
                }
                upstream = s;
                if (cancel) {
                    s.cancel();
                    result.complete(null);
                } else {
                    s.request(1);
                }
            }

            @Override
            public void onNext(List<ByteBuffer> buffers) {
                try {
                    for (ByteBuffer buffer : buffers) {
                        if (isDone()) {
                            break;
                        }
                        decoder.feed(buffer, this);
                    }
                } catch (SseDecoder.SseProtocolException | StreamChunk.MalformedChunkException malformed) {
                    fail(Reason.UPSTREAM_ERROR, malformed.getMessage(), true, -1, null, null);
                } catch (RuntimeException unexpected) {
                    fail(Reason.UPSTREAM_ERROR, "stream handling failed (" + unexpected.getClass().getSimpleName()
                            + ")", true, -1, null, unexpected);
                }
                if (isDone()) {
                    upstream.cancel();
                    result.complete(null);
                } else {
                    upstream.request(1);
                }
            }

            @Override
            public void onError(Throwable throwable) {
                result.complete(null);
                onStreamOver(false, throwable);
            }

            @Override
            public void onComplete() {
                result.complete(null);
                try {
                    decoder.finish(this);
                } catch (SseDecoder.SseProtocolException | StreamChunk.MalformedChunkException malformed) {
                    // a truncated last event: judged below like any other end of stream
                }
                onStreamOver(false, null);
            }

            @Override
            public void onEvent(String event, String data) {
                Attempt.this.onEvent(event, data);
            }
        }

        /** Collects (at most a few KiB of) an error response and reports the status. */
        private final class ErrorBodySubscriber implements HttpResponse.BodySubscriber<Void> {
            private final HttpResponse.ResponseInfo info;
            private final CompletableFuture<Void> body = new CompletableFuture<>();
            private final byte[] collected = new byte[MAX_ERROR_BODY_BYTES];
            private int length;
            private Flow.Subscription upstream;

            ErrorBodySubscriber(HttpResponse.ResponseInfo info) {
                this.info = info;
            }

            @Override
            public CompletionStage<Void> getBody() {
                return body;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                upstream = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> buffers) {
                for (ByteBuffer buffer : buffers) {
                    int n = Math.min(buffer.remaining(), collected.length - length);
                    buffer.get(collected, length, n);
                    length += n;
                }
                if (length == collected.length) {
                    upstream.cancel(); // enough to read the error type
                    finish();
                }
            }

            @Override
            public void onError(Throwable throwable) {
                finish();
            }

            @Override
            public void onComplete() {
                finish();
            }

            private void finish() {
                if (body.complete(null)) {
                    byte[] bytes = new byte[length];
                    System.arraycopy(collected, 0, bytes, 0, length);
                    onErrorStatus(info, bytes);
                }
            }
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof CompletionException || current instanceof java.util.concurrent.ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    @Override
    public String toString() {
        return "OpenAiCompatibleGateway[" + settings.baseUrl() + "]";
    }
}
