package net.kimik2.testsupport.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A small graphql-ws ({@code graphql-transport-ws} sub-protocol) client on the JDK's {@link WebSocket}, as a browser
 * app using the graphql-ws library would talk to the service: {@code connection_init} with a payload, wait for
 * {@code connection_ack}, then {@code subscribe} messages whose {@code next}/{@code error}/{@code complete} answers
 * land in a queue per operation id. Answers the server's {@code ping} with {@code pong}; reassembles fragmented text
 * frames. Used by the end-to-end tests and by the benchmarks (one socket per bench client).
 */
public final class GraphQlWsClient implements AutoCloseable {

    public static final String SUB_PROTOCOL = "graphql-transport-ws";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the server closed the socket (graphql-ws uses 44xx codes, e.g. 4401 Unauthorized). */
    public record Closed(int code, String reason) {
    }

    /** The socket closed before {@code connection_ack}, e.g. because {@code connection_init} was refused. */
    public static final class ConnectionRefusedException extends IOException {
        private final Closed closed;

        ConnectionRefusedException(Closed closed) {
            super("closed before connection_ack: " + closed.code() + " " + closed.reason());
            this.closed = closed;
        }

        public Closed closed() {
            return closed;
        }
    }

    /**
     * One message for an operation: {@code next} (payload = the execution result), {@code error} (payload = the
     * array of errors), {@code complete}, or {@code connection_closed} when the socket went away.
     */
    public record Message(String type, JsonNode payload) {

        public boolean isNext() {
            return "next".equals(type);
        }

        public boolean isTerminal() {
            return !isNext();
        }
    }

    /** The messages of one operation, in order. */
    public final class Operation {

        private final String id;
        private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();

        private Operation(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The next message; fails the test when none arrives in time. */
        public Message await(Duration timeout) throws InterruptedException {
            Message message = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                throw new AssertionError("no message for operation " + id + " within " + timeout);
            }
            return message;
        }

        /** The next message if one arrives in time (to show that nothing more comes). */
        public Optional<Message> poll(Duration timeout) throws InterruptedException {
            return Optional.ofNullable(messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
        }

        /** The payload of the next message, which must be {@code next}. */
        public JsonNode awaitNext(Duration timeout) throws InterruptedException {
            Message message = await(timeout);
            if (!message.isNext()) {
                throw new AssertionError("expected next for operation " + id + " but got " + message);
            }
            return message.payload();
        }

        /** Waits for the {@code complete} message. */
        public void awaitComplete(Duration timeout) throws InterruptedException {
            Message message = await(timeout);
            if (!"complete".equals(message.type())) {
                throw new AssertionError("expected complete for operation " + id + " but got " + message);
            }
        }

        /** Every message until the operation ends ({@code complete}, {@code error} or a closed socket), that one last. */
        public List<Message> awaitAll(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Message> all = new ArrayList<>();
            while (true) {
                Message message = await(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                all.add(message);
                if (message.isTerminal()) {
                    return all;
                }
            }
        }

        /** Forgets the operation on this side (after its end, or when the caller gives up on it): long-lived sockets
         *  that run many operations do not keep them all. */
        public void forget() {
            operations.remove(id);
        }

        /** Client-side {@code complete}: cancels this subscription on the server. */
        public void complete() {
            GraphQlWsClient.this.complete(id);
        }

        private void deliver(Message message) {
            messages.add(message);
        }
    }

    private final Map<String, Operation> operations = new ConcurrentHashMap<>();
    private final CompletableFuture<JsonNode> ack = new CompletableFuture<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final Object sendLock = new Object();
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    private volatile WebSocket socket;

    private GraphQlWsClient() {
    }

    /**
     * Opens the socket, sends {@code connection_init} with the payload (null for none) and waits for
     * {@code connection_ack}.
     *
     * @throws ConnectionRefusedException when the server closes the socket instead of acknowledging
     */
    public static GraphQlWsClient connect(URI uri, Map<String, ?> connectionInitPayload) throws Exception {
        return connect(uri, connectionInitPayload, Map.of(), DEFAULT_TIMEOUT);
    }

    /** As {@link #connect(URI, Map)}, with headers on the upgrade request (e.g. {@code Cookie}). */
    public static GraphQlWsClient connect(URI uri, Map<String, ?> connectionInitPayload, Map<String, String> upgradeHeaders,
                                          Duration timeout) throws Exception {
        return connect(HttpClient.newBuilder().connectTimeout(timeout).build(), uri, connectionInitPayload,
                upgradeHeaders, timeout);
    }

    /**
     * As {@link #connect(URI, Map, Map, Duration)} on a given {@link HttpClient}: many sockets can share one client
     * (and its selector thread), as a benchmark's hundreds of clients do.
     */
    public static GraphQlWsClient connect(HttpClient http, URI uri, Map<String, ?> connectionInitPayload,
                                          Map<String, String> upgradeHeaders, Duration timeout) throws Exception {
        GraphQlWsClient client = new GraphQlWsClient();
        WebSocket.Builder builder = http.newWebSocketBuilder()
                .subprotocols(SUB_PROTOCOL)
                .connectTimeout(timeout);
        upgradeHeaders.forEach(builder::header);
        client.socket = builder.buildAsync(uri, client.new Listener()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        ObjectNode init = JSON.createObjectNode().put("type", "connection_init");
        if (connectionInitPayload != null) {
            init.set("payload", JSON.valueToTree(connectionInitPayload));
        }
        client.send(init);
        try {
            CompletableFuture.anyOf(client.ack, client.closed).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            client.close();
            throw new AssertionError("no connection_ack within " + timeout);
        }
        if (!client.ack.isDone()) {
            throw new ConnectionRefusedException(client.closed.getNow(new Closed(-1, "")));
        }
        return client;
    }

    /** The {@code connection_ack} payload (null if the server sent none). */
    public JsonNode ackPayload() {
        return ack.getNow(null);
    }

    /** Sends a {@code subscribe} message; queries and mutations answer one {@code next} and a {@code complete}. */
    public Operation subscribe(String id, String query, Map<String, ?> variables) {
        Operation operation = new Operation(id);
        if (operations.putIfAbsent(id, operation) != null) {
            throw new IllegalStateException("operation id in use: " + id);
        }
        Closed gone = closed.getNow(null);
        if (gone != null) {
            // nothing will answer on a closed socket: say so at once rather than let the caller wait for a timeout
            operation.deliver(new Message("connection_closed",
                    JSON.createObjectNode().put("code", gone.code()).put("reason", gone.reason())));
            return operation;
        }
        ObjectNode message = JSON.createObjectNode().put("id", id).put("type", "subscribe");
        ObjectNode payload = message.putObject("payload").put("query", query);
        payload.set("variables", variables == null ? JSON.createObjectNode() : JSON.valueToTree(variables));
        send(message);
        return operation;
    }

    /** Runs a query or mutation and answers its result ({@code data}, {@code errors}). */
    public JsonNode execute(String query, Map<String, ?> variables) throws InterruptedException {
        Operation operation = subscribe("op-" + System.nanoTime(), query, variables);
        JsonNode result = operation.awaitNext(DEFAULT_TIMEOUT);
        operation.awaitComplete(DEFAULT_TIMEOUT);
        return result;
    }

    /** Client-side {@code complete}: stops the operation; the server sends nothing more for it. */
    public void complete(String id) {
        send(JSON.createObjectNode().put("id", id).put("type", "complete"));
    }

    /** Sends a {@code ping}; the server answers {@code pong} (ignored). */
    public void ping() {
        send(JSON.createObjectNode().put("type", "ping"));
    }

    /** How the server closed the socket, once it did. */
    public Optional<Closed> awaitClosed(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException | ExecutionException e) {
            return Optional.empty();
        }
    }

    public boolean isOpen() {
        return socket != null && !socket.isOutputClosed() && !closed.isDone();
    }

    @Override
    public void close() {
        WebSocket ws = socket;
        if (ws == null || ws.isOutputClosed()) {
            return;
        }
        try {
            synchronized (sendLock) {
                lastSend = lastSend.handle((ignored, error) -> null)
                        .thenCompose(ignored -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
            }
            lastSend.get(2, TimeUnit.SECONDS);
        } catch (Exception alreadyGone) {
            ws.abort();
        }
    }

    /** The JDK allows one outstanding send at a time: sends are chained. */
    private void send(JsonNode message) {
        String text = message.toString();
        WebSocket ws = socket;
        synchronized (sendLock) {
            lastSend = lastSend.handle((ignored, error) -> null).thenCompose(ignored -> ws.sendText(text, true));
        }
    }

    private void onMessage(String text) {
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("server sent a non-JSON message (" + text.length() + " chars)", e);
        }
        String type = message.path("type").asText();
        JsonNode payload = message.has("payload") ? message.get("payload") : NullNode.getInstance();
        switch (type) {
            case "connection_ack" -> ack.complete(payload);
            case "ping" -> send(JSON.createObjectNode().put("type", "pong"));
            case "pong" -> {
                // answer to our ping
            }
            case "next", "error", "complete" -> {
                String id = message.path("id").asText();
                Operation operation = operations.get(id);
                if (operation != null) {
                    operation.deliver(new Message(type, payload));
                }
            }
            default -> throw new IllegalStateException("unknown graphql-ws message type: " + type);
        }
    }

    private void onClosed(int code, String reason) {
        Closed close = new Closed(code, reason);
        closed.complete(close);
        ObjectNode detail = JSON.createObjectNode().put("code", code).put("reason", reason);
        operations.values().forEach(operation -> operation.deliver(new Message("connection_closed", detail)));
    }

    private final class Listener implements WebSocket.Listener {

        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                onMessage(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            onClosed(statusCode, reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            onClosed(-1, error.getClass().getSimpleName());
        }
    }
}
