package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.kimik2.bench.GraphQlClient.BenchFailure;

/**
 * A small graphql-ws ({@code graphql-transport-ws}) client on the JDK's {@link WebSocket}, modelled on the app's
 * end-to-end test client: {@code connection_init} with a payload (the bearer token), wait for
 * {@code connection_ack}, then {@code subscribe} messages whose {@code next}/{@code error}/{@code complete} answers
 * land in a queue per operation id. Answers {@code ping} with {@code pong}; reassembles fragmented text frames.
 * One socket per bench client; every wait is bounded.
 */
final class GraphQlWsClient implements AutoCloseable {

    static final String SUB_PROTOCOL = "graphql-transport-ws";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One message of an operation: {@code next}, {@code error}, {@code complete}, or {@code connection_closed}. */
    record Message(String type, JsonNode payload) {
        boolean isNext() {
            return "next".equals(type);
        }
    }

    /** The messages of one operation, in arrival order. */
    final class Operation {
        private final String id;
        private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();

        private Operation(String id) {
            this.id = id;
        }

        /** The next message; a {@link BenchFailure} when none arrives by the deadline ({@link System#nanoTime()}). */
        Message await(long deadlineNanos) {
            try {
                Message m = messages.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (m == null) {
                    throw new BenchFailure("no graphql-ws message for operation " + id + " in time");
                }
                return m;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchFailure("interrupted", e);
            }
        }

        /** Forgets the operation locally (after its {@code complete}, or when the bench gives up on it). */
        void forget() {
            operations.remove(id);
        }

        private void deliver(Message m) {
            messages.add(m);
        }
    }

    private final Map<String, Operation> operations = new ConcurrentHashMap<>();
    private final CompletableFuture<JsonNode> ack = new CompletableFuture<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final Object sendLock = new Object();
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    private volatile WebSocket socket;

    private GraphQlWsClient() {
    }

    /** Opens the socket, sends {@code connection_init} with {@code {"Authorization": "Bearer <token>"}}, awaits the ack. */
    static GraphQlWsClient connect(HttpClient http, URI uri, String bearerToken, Duration timeout) {
        GraphQlWsClient client = new GraphQlWsClient();
        try {
            client.socket = http.newWebSocketBuilder()
                    .subprotocols(SUB_PROTOCOL)
                    .connectTimeout(timeout)
                    .buildAsync(uri, client.new Listener())
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            ObjectNode init = JSON.createObjectNode().put("type", "connection_init");
            init.putObject("payload").put("Authorization", "Bearer " + bearerToken);
            client.send(init);
            CompletableFuture.anyOf(client.ack, client.closed).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            client.close();
            throw new BenchFailure("no graphql-ws connection_ack within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new BenchFailure("interrupted", e);
        } catch (Exception e) {
            client.close();
            throw new BenchFailure("graphql-ws connect to " + uri + " failed: " + e, e);
        }
        if (!client.ack.isDone()) {
            throw new BenchFailure("graphql-ws socket closed before connection_ack: " + client.closed.getNow("?"));
        }
        return client;
    }

    /** Sends {@code subscribe}; the id must be unique on this socket while the operation runs. */
    Operation subscribe(String id, String query, Map<String, ?> variables) {
        Operation operation = new Operation(id);
        if (operations.putIfAbsent(id, operation) != null) {
            throw new IllegalStateException("operation id in use: " + id);
        }
        if (closed.isDone()) {
            operations.remove(id);
            throw new BenchFailure("graphql-ws socket already closed: " + closed.getNow("?"));
        }
        ObjectNode message = JSON.createObjectNode().put("id", id).put("type", "subscribe");
        ObjectNode payload = message.putObject("payload").put("query", query);
        payload.set("variables", variables == null ? JSON.createObjectNode() : JSON.valueToTree(variables));
        send(message);
        return operation;
    }

    /** Client-side {@code complete}: stops an operation on the server. */
    void complete(String id) {
        send(JSON.createObjectNode().put("id", id).put("type", "complete"));
    }

    boolean isOpen() {
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
            onClosed("server sent a non-JSON message (" + text.length() + " chars)");
            return;
        }
        String type = message.path("type").asText();
        JsonNode payload = message.has("payload") ? message.get("payload") : NullNode.getInstance();
        switch (type) {
            case "connection_ack" -> ack.complete(payload);
            case "ping" -> send(JSON.createObjectNode().put("type", "pong"));
            case "next", "error", "complete" -> {
                Operation operation = operations.get(message.path("id").asText());
                if (operation != null) {
                    operation.deliver(new Message(type, payload));
                }
            }
            default -> {
                // pong or anything new: nothing to do
            }
        }
    }

    private void onClosed(String how) {
        closed.complete(how);
        JsonNode detail = JSON.createObjectNode().put("reason", how);
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
            onClosed(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            onClosed("error " + error);
        }
    }
}
