package net.kimik2.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for Moonshot's OpenAI-compatible API on 127.0.0.1 (random port): {@code POST
 * /v1/chat/completions} with {@code stream: true} answers server-sent events in the real wire format
 * ({@code text/event-stream}, chunked, {@code data: {json}\n\n} frames flushed one by one, then
 * {@code data: [DONE]}), and {@code GET /v1/models} lists models. Point the service at it with
 * {@code KIMI_MODEL_BASE_URL=}{@link #baseUrl()}.
 *
 * <p>Each chat request plays the next queued {@link Scenario}, or the default one when the queue is empty. Every
 * request is recorded (headers, body, the parsed fields tests assert on).
 */
final class MoonshotStub implements AutoCloseable {

    static final String MODEL = "kimi-k2-0905-preview";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CREATED = 1767225600L;

    /** Where the final chunk carries the usage report. */
    enum UsagePlacement {
        /** Moonshot: {@code choices[0].usage}. */
        IN_CHOICE,
        /** OpenAI and some gateways: top-level {@code usage}. */
        TOP_LEVEL
    }

    /** How the usage report names the cached prompt tokens. */
    enum CachedField {
        /** Moonshot: {@code usage.cached_tokens}. */
        CACHED_TOKENS,
        /** OpenAI: {@code usage.prompt_tokens_details.cached_tokens}. */
        PROMPT_TOKENS_DETAILS
    }

    /** A usage report; {@code promptTokens} includes {@code cachedTokens}, as the provider counts. */
    record Usage(int promptTokens, int cachedTokens, int completionTokens) {

        int totalTokens() {
            return promptTokens + completionTokens;
        }
    }

    /**
     * What one chat request gets. Start from {@link #ok}, {@link #empty}, {@link #status}, {@link #rateLimited} or
     * {@link #serverError}, refine with the {@code with...}/{@code cutAfter} methods.
     *
     * @param status          HTTP status; anything but 200 answers {@code errorBody} before any token
     * @param headers         extra response headers (e.g. {@code Retry-After})
     * @param errorBody       the JSON body of an error status
     * @param chunks          the answer's content deltas, one SSE chunk each
     * @param usage           the usage report of the final chunk, or null for none
     * @param placement       where the usage goes
     * @param cachedField     how cached tokens are named
     * @param finishReason    the final chunk's {@code finish_reason}
     * @param firstTokenDelay pause after the response headers, before the first chunk
     * @param chunkDelay      pause between two chunks (lets a client disconnect mid-stream)
     * @param cutAfterChunks  close the connection after this many content chunks, without finish, usage or
     *                        {@code [DONE]} (no terminating HTTP chunk either); -1 = never
     */
    record Scenario(int status, Map<String, String> headers, String errorBody, List<String> chunks, Usage usage,
                    UsagePlacement placement, CachedField cachedField, String finishReason, Duration firstTokenDelay,
                    Duration chunkDelay, int cutAfterChunks) {

        Scenario {
            headers = Map.copyOf(headers);
            chunks = List.copyOf(chunks);
            Objects.requireNonNull(placement, "placement");
            Objects.requireNonNull(cachedField, "cachedField");
            Objects.requireNonNull(firstTokenDelay, "firstTokenDelay");
            Objects.requireNonNull(chunkDelay, "chunkDelay");
        }

        /** A streamed answer in Moonshot's format: usage in {@code choices[0]}, {@code cached_tokens}. */
        static Scenario ok(List<String> chunks, Usage usage) {
            return new Scenario(200, Map.of(), "", chunks, usage, UsagePlacement.IN_CHOICE, CachedField.CACHED_TOKENS,
                    "stop", Duration.ZERO, Duration.ZERO, -1);
        }

        /** A streamed answer with the given placement of the usage report. */
        static Scenario ok(List<String> chunks, Usage usage, UsagePlacement placement) {
            return ok(chunks, usage).withUsagePlacement(placement);
        }

        /** A streamed answer whose usage counts 10 prompt tokens (none cached) and one completion token a chunk. */
        static Scenario ok(String... chunks) {
            return ok(List.of(chunks), new Usage(10, 0, chunks.length));
        }

        /** An answer without any content: role chunk, finish and usage (no completion tokens), {@code [DONE]}. */
        static Scenario empty(int promptTokens) {
            return ok(List.of(), new Usage(promptTokens, 0, 0));
        }

        /** An error status before any token, with an OpenAI-style {@code {"error": {"message", "type"}}} body. */
        static Scenario status(int status, String errorType, String message) {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("error").put("message", message).put("type", errorType);
            return new Scenario(status, Map.of(), body.toString(), List.of(), null, UsagePlacement.IN_CHOICE,
                    CachedField.CACHED_TOKENS, null, Duration.ZERO, Duration.ZERO, -1);
        }

        /** 429 with {@code Retry-After}, as Moonshot answers when the account's rate limit is reached. */
        static Scenario rateLimited(int retryAfterSeconds) {
            return status(429, "rate_limit_reached_error", "rate limit reached, please try again later")
                    .withHeader("Retry-After", Integer.toString(retryAfterSeconds));
        }

        /** 500 with an OpenAI-style error body. */
        static Scenario serverError() {
            return status(500, "server_error", "internal server error");
        }

        Scenario withHeader(String name, String value) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            all.put(name, value);
            return new Scenario(status, all, errorBody, chunks, usage, placement, cachedField, finishReason,
                    firstTokenDelay, chunkDelay, cutAfterChunks);
        }

        Scenario withUsagePlacement(UsagePlacement where) {
            return new Scenario(status, headers, errorBody, chunks, usage, where, cachedField, finishReason,
                    firstTokenDelay, chunkDelay, cutAfterChunks);
        }

        Scenario withCachedField(CachedField field) {
            return new Scenario(status, headers, errorBody, chunks, usage, placement, field, finishReason,
                    firstTokenDelay, chunkDelay, cutAfterChunks);
        }

        Scenario withFinishReason(String reason) {
            return new Scenario(status, headers, errorBody, chunks, usage, placement, cachedField, reason,
                    firstTokenDelay, chunkDelay, cutAfterChunks);
        }

        /** No usage report at all (the service must then estimate). */
        Scenario withoutUsage() {
            return new Scenario(status, headers, errorBody, chunks, null, placement, cachedField, finishReason,
                    firstTokenDelay, chunkDelay, cutAfterChunks);
        }

        Scenario withFirstTokenDelay(Duration delay) {
            return new Scenario(status, headers, errorBody, chunks, usage, placement, cachedField, finishReason,
                    delay, chunkDelay, cutAfterChunks);
        }

        Scenario withChunkDelay(Duration delay) {
            return new Scenario(status, headers, errorBody, chunks, usage, placement, cachedField, finishReason,
                    firstTokenDelay, delay, cutAfterChunks);
        }

        /** Drops the connection after {@code n} content chunks: no finish reason, usage or {@code [DONE]}. */
        Scenario cutAfter(int n) {
            return new Scenario(status, headers, errorBody, chunks, usage, placement, cachedField, finishReason,
                    firstTokenDelay, chunkDelay, n);
        }
    }

    /** One request as the stub received it. */
    record Recorded(String method, String path, Map<String, List<String>> headers, String body, JsonNode json) {

        /** A request header, case-insensitively. */
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
        }

        String authorization() {
            return header("Authorization");
        }

        String model() {
            return json == null ? null : json.path("model").asText(null);
        }

        /** {@code max_tokens}, or -1 when absent. */
        int maxTokens() {
            return json == null ? -1 : json.path("max_tokens").asInt(-1);
        }

        int messageCount() {
            return json == null ? 0 : json.path("messages").size();
        }

        boolean stream() {
            return json != null && json.path("stream").asBoolean(false);
        }

        boolean isChatCompletion() {
            return "POST".equals(method) && path.endsWith("/chat/completions");
        }
    }

    /** Thrown by a scenario to drop the connection abruptly: the server closes it without the final chunk. */
    private static final class Cut extends RuntimeException {
        Cut() {
            super("cut", null, false, false);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "moonshot-stub");
        thread.setDaemon(true);
        return thread;
    });
    private final ConcurrentLinkedQueue<Scenario> queue = new ConcurrentLinkedQueue<>();
    private volatile Scenario defaultScenario = Scenario.ok("Hello", " from", " the stub.");
    private volatile List<String> models = List.of(MODEL, "kimi-k2-turbo-preview");
    private volatile String requiredApiKey;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger chatCompletions = new AtomicInteger();
    private final AtomicInteger clientDisconnects = new AtomicInteger();
    /** Requests still being answered (a slow scenario may outlive the test that queued it). */
    private final AtomicInteger inFlight = new AtomicInteger();

    MoonshotStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The API base, as {@code KIMI_MODEL_BASE_URL} takes it: {@code http://127.0.0.1:<port>/v1}. */
    /** The service's settings to use this stub as its model API (short timeouts and back-off for tests). */
    static Map<String, String> serviceEnv(MoonshotStub stub) {
        return Map.of("KIMI_SIGNUP_CREDITS", "1000000", "KIMI_MODEL_BASE_URL", stub.baseUrl(),
                "KIMI_MODEL_API_KEY", "sk-test-key", "KIMI_MODEL_RETRY_INITIAL_BACKOFF", "50ms",
                "KIMI_MODEL_RETRY_MAX_BACKOFF", "200ms", "KIMI_MODEL_MAX_RETRY_AFTER", "1s");
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Queues scenarios for the next chat requests, in order. */
    MoonshotStub enqueue(Scenario... scenarios) {
        queue.addAll(List.of(scenarios));
        return this;
    }

    /** What chat requests get once the queue is empty. */
    MoonshotStub defaultScenario(Scenario scenario) {
        defaultScenario = Objects.requireNonNull(scenario);
        return this;
    }

    /** The model ids {@code GET /v1/models} lists. */
    MoonshotStub models(String... ids) {
        models = List.of(ids);
        return this;
    }

    /** Answer 401 (as Moonshot does) unless the request carries {@code Authorization: Bearer <key>}. */
    MoonshotStub requireApiKey(String key) {
        requiredApiKey = key;
        return this;
    }

    /** Every request received, in order. */
    List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** The chat completion requests received, in order. */
    List<Recorded> chatRequests() {
        return requests.stream().filter(Recorded::isChatCompletion).toList();
    }

    int chatRequestCount() {
        return chatCompletions.get();
    }

    /** Streams the client stopped reading before the stub finished writing them. */
    int clientDisconnects() {
        return clientDisconnects.get();
    }

    /** Waits until at least {@code n} chat requests arrived; answers whether they did in time. */
    boolean awaitChatRequests(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (chatCompletions.get() < n) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * Forgets recorded requests and queued scenarios (the default scenario stays), after waiting up to 10 s for the
     * answers still being written, so that a straggler of one test never counts in the next.
     */
    void reset() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        requests.clear();
        queue.clear();
        chatCompletions.set(0);
        clientDisconnects.set(0);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- serving ----

    private void handle(HttpExchange exchange) throws IOException {
        inFlight.incrementAndGet();
        try {
            serve(exchange);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        JsonNode json = null;
        try {
            json = body.isEmpty() ? null : JSON.readTree(body);
        } catch (IOException notJson) {
            // recorded as is
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
        Recorded recorded = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                Map.copyOf(headers), body, json);
        requests.add(recorded);
        try {
            String key = requiredApiKey;
            if (key != null && !("Bearer " + key).equals(recorded.authorization())) {
                sendJson(exchange, 401, errorBody("invalid_authentication_error", "Invalid Authentication"));
            } else if ("GET".equals(recorded.method()) && recorded.path().endsWith("/models")) {
                sendJson(exchange, 200, modelList());
            } else if (recorded.isChatCompletion()) {
                chatCompletions.incrementAndGet();
                Scenario scenario = queue.poll();
                play(exchange, scenario == null ? defaultScenario : scenario, json);
            } else {
                sendJson(exchange, 404, errorBody("not_found", "no such endpoint"));
            }
            exchange.close();
        } catch (Cut cut) {
            throw cut; // the server drops the connection without the terminating zero-length chunk
        } catch (IOException clientGone) {
            clientDisconnects.incrementAndGet();
            exchange.close();
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
            exchange.close();
        }
    }

    private void play(HttpExchange exchange, Scenario scenario, JsonNode request)
            throws IOException, InterruptedException {
        scenario.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        if (scenario.status() != 200) {
            sendJson(exchange, scenario.status(), scenario.errorBody());
            return;
        }
        String model = request == null ? MODEL : request.path("model").asText(MODEL);
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().add("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0); // 0 = chunked
        OutputStream out = exchange.getResponseBody();
        sleep(scenario.firstTokenDelay());
        write(out, roleChunk(model));
        int sent = 0;
        for (String content : scenario.chunks()) {
            if (sent == scenario.cutAfterChunks()) {
                throw new Cut();
            }
            sleep(scenario.chunkDelay());
            write(out, contentChunk(model, content));
            sent++;
        }
        if (sent == scenario.cutAfterChunks()) {
            throw new Cut();
        }
        sleep(scenario.chunkDelay());
        write(out, finalChunk(model, scenario));
        write(out, "data: [DONE]\n\n");
    }

    private static void sleep(Duration delay) throws InterruptedException {
        if (!delay.isZero()) {
            Thread.sleep(delay.toMillis());
        }
    }

    private static void write(OutputStream out, Object frame) throws IOException {
        String text = frame instanceof JsonNode json ? "data: " + json + "\n\n" : frame.toString();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sendJson(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    // ---- frames, as Moonshot sends them ----

    private static ObjectNode chunk(String model) {
        ObjectNode chunk = JSON.createObjectNode();
        chunk.put("id", "chatcmpl-stub");
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", CREATED);
        chunk.put("model", model);
        return chunk;
    }

    private static ObjectNode choice(ObjectNode chunk) {
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        return choice;
    }

    /** The first chunk: the role, empty content. */
    private static ObjectNode roleChunk(String model) {
        ObjectNode chunk = chunk(model);
        ObjectNode choice = choice(chunk);
        choice.putObject("delta").put("role", "assistant").put("content", "");
        choice.putNull("finish_reason");
        return chunk;
    }

    private static ObjectNode contentChunk(String model, String content) {
        ObjectNode chunk = chunk(model);
        ObjectNode choice = choice(chunk);
        choice.putObject("delta").put("content", content);
        choice.putNull("finish_reason");
        return chunk;
    }

    /** The last chunk: empty delta, the finish reason and (where the scenario says) the usage report. */
    private static ObjectNode finalChunk(String model, Scenario scenario) {
        ObjectNode chunk = chunk(model);
        ObjectNode choice = choice(chunk);
        choice.putObject("delta");
        choice.put("finish_reason", scenario.finishReason());
        if (scenario.usage() != null) {
            ObjectNode target = scenario.placement() == UsagePlacement.IN_CHOICE ? choice : chunk;
            target.set("usage", usage(scenario.usage(), scenario.cachedField()));
        }
        return chunk;
    }

    private static ObjectNode usage(Usage usage, CachedField cachedField) {
        ObjectNode node = JSON.createObjectNode();
        node.put("prompt_tokens", usage.promptTokens());
        node.put("completion_tokens", usage.completionTokens());
        node.put("total_tokens", usage.totalTokens());
        if (cachedField == CachedField.CACHED_TOKENS) {
            node.put("cached_tokens", usage.cachedTokens());
        } else {
            node.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedTokens());
        }
        return node;
    }

    private String modelList() {
        ObjectNode list = JSON.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        for (String id : models) {
            data.addObject().put("id", id).put("object", "model").put("created", CREATED).put("owned_by", "moonshot")
                    .put("context_length", 262_144);
        }
        return list.toString();
    }

    private static String errorBody(String type, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", type);
        return body.toString();
    }

    /** The scenarios still queued, for diagnostics. */
    List<Scenario> queued() {
        return new ArrayList<>(queue);
    }
}
