package net.kimik2.runtime.conversations.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A local OpenAI-compatible chat-completions stub on 127.0.0.1 (random port) that speaks the real wire format:
 * {@code text/event-stream}, chunked transfer encoding, {@code data: {json}\n\n} frames flushed one by one.
 * Each request takes the next scripted {@link Responder} (the last one repeats).
 */
final class SseStub implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL = "kimi-k2-0905-preview";

    /** What the stub received. */
    record Received(String method, String path, Headers headers, String body, JsonNode json) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    @FunctionalInterface
    interface Responder {
        void respond(HttpExchange exchange) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "sse-stub");
        thread.setDaemon(true);
        return thread;
    });
    private final ConcurrentLinkedDeque<Responder> script = new ConcurrentLinkedDeque<>();
    private volatile Responder last;
    final List<Received> received = new CopyOnWriteArrayList<>();
    final List<Throwable> handlerErrors = new CopyOnWriteArrayList<>();

    SseStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    SseStub then(Responder... responders) {
        for (Responder responder : responders) {
            script.addLast(responder);
        }
        return this;
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String text = new String(body, StandardCharsets.UTF_8);
        JsonNode json = null;
        try {
            json = JSON.readTree(text);
        } catch (IOException notJson) {
            // recorded as is
        }
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders(), text, json));
        Responder responder = script.pollFirst();
        if (responder == null) {
            responder = last;
        } else {
            last = responder;
        }
        if (responder == null) {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
            return;
        }
        try {
            responder.respond(exchange);
            exchange.close();
        } catch (AbruptClose cut) {
            throw cut; // makes the server drop the connection without the final zero-length chunk
        } catch (Exception e) {
            handlerErrors.add(e);
            exchange.close();
        }
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

    // ---- responders ----

    /** Thrown by a responder to cut the connection abruptly (no terminating chunk). */
    static final class AbruptClose extends RuntimeException {
        AbruptClose() {
            super("cut", null, false, false);
        }
    }

    /** A pause inside a scripted stream. */
    record Pause(long millis) {
    }

    /** A 200 event stream: each String is written and flushed as is, each {@link Pause} sleeps. */
    static Responder stream(Object... steps) {
        return exchange -> {
            startStream(exchange);
            OutputStream out = exchange.getResponseBody();
            for (Object step : steps) {
                play(out, step);
            }
        };
    }

    /** Like {@link #stream} but drops the connection at the end, as a network cut would. */
    static Responder streamThenCut(Object... steps) {
        return exchange -> {
            startStream(exchange);
            OutputStream out = exchange.getResponseBody();
            for (Object step : steps) {
                play(out, step);
            }
            throw new AbruptClose();
        };
    }

    /** Sleeps before sending anything (not even headers). */
    static Responder delayed(long millis, Responder then) {
        return exchange -> {
            Thread.sleep(millis);
            then.respond(exchange);
        };
    }

    static Responder status(int code, Map<String, String> headers, String body) {
        return exchange -> {
            headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        };
    }

    private static void startStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().add("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0); // 0 = chunked
    }

    private static void play(OutputStream out, Object step) throws IOException, InterruptedException {
        if (step instanceof Pause pause) {
            Thread.sleep(pause.millis());
        } else if (step instanceof byte[] bytes) {
            out.write(bytes);
            out.flush();
        } else {
            out.write(step.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    // ---- frames, as Moonshot / OpenAI send them ----

    static Pause pause(long millis) {
        return new Pause(millis);
    }

    static String done() {
        return "data: [DONE]\n\n";
    }

    static String keepAlive() {
        return ": keep-alive\n\n";
    }

    private static ObjectNode chunkBase() {
        ObjectNode chunk = JSON.createObjectNode();
        chunk.put("id", "chatcmpl-stub-1");
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", 1767225600L);
        chunk.put("model", MODEL);
        return chunk;
    }

    static String frame(JsonNode json) {
        return "data: " + json + "\n\n";
    }

    /** The first chunk: role only, empty content. */
    static String roleChunk() {
        ObjectNode chunk = chunkBase();
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta").put("role", "assistant").put("content", "");
        choice.putNull("finish_reason");
        return frame(chunk);
    }

    static String delta(String content) {
        ObjectNode chunk = chunkBase();
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta").put("content", content);
        choice.putNull("finish_reason");
        return frame(chunk);
    }

    /** OpenAI style: every chunk has {@code "usage": null}. */
    static String deltaWithNullUsage(String content) {
        ObjectNode chunk = (ObjectNode) readTree(delta(content).substring(6));
        chunk.putNull("usage");
        return frame(chunk);
    }

    /** Moonshot's last chunk: finish reason and the usage inside {@code choices[0]}, with {@code cached_tokens}. */
    static String moonshotFinal(String finishReason, int prompt, int cached, int completion) {
        ObjectNode chunk = chunkBase();
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.put("finish_reason", finishReason);
        ObjectNode usage = choice.putObject("usage");
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        usage.put("cached_tokens", cached);
        return frame(chunk);
    }

    /** OpenAI's finish chunk (no usage yet). */
    static String finishChunk(String finishReason) {
        ObjectNode chunk = chunkBase();
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.put("finish_reason", finishReason);
        chunk.putNull("usage");
        return frame(chunk);
    }

    /** OpenAI's usage chunk: empty choices, top-level usage with {@code prompt_tokens_details.cached_tokens}. */
    static String topLevelUsage(int prompt, int cached, int completion) {
        ObjectNode chunk = chunkBase();
        chunk.putArray("choices");
        ObjectNode usage = chunk.putObject("usage");
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        usage.putObject("prompt_tokens_details").put("cached_tokens", cached);
        return frame(chunk);
    }

    static String errorEvent(String type) {
        ObjectNode chunk = JSON.createObjectNode();
        chunk.putObject("error").put("type", type).put("message", "upstream overloaded");
        return frame(chunk);
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Object> steps(Object... steps) {
        return new ArrayList<>(List.of(steps));
    }
}
