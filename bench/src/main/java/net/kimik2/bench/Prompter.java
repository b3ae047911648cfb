package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.GraphQlWsClient;

/**
 * One prompt end to end, as a chat client sends it: {@code sendPrompt} over HTTP (a new conversation, a fresh
 * idempotency key) until its typed answer; when {@code PromptAccepted}, {@code subscribe} to {@code promptStream} on
 * the client's graphql-ws socket and read until the chunk with {@code done: true} (checked: {@code seq} 0, 1, 2, ...
 * without gaps, no {@code failureCode}, {@code usage} present) and the server's {@code complete}. Timed from the
 * moment sendPrompt is sent: to its answer, to the first chunk, to the final chunk.
 */
record Prompter(GraphQlClient http, String runId, int maxTokens, Duration timeout) {

    /** What one attempt came to; times in nanoseconds from the send, -1 where they do not apply. */
    record Outcome(String type, long answerNanos, long firstNanos, long finalNanos, int chunks, long costCredits,
                   int retryAfterSeconds) {

        boolean done() {
            return type.equals("done");
        }
    }

    /** A client of a person: a token, its socket, and the credits its answers cost (shared by a person's clients). */
    record Client(String token, GraphQlWsClient socket, AtomicLong costCredits) {
    }

    /** {@code sendPrompt} alone: the typed answer (its {@code __typename} and body); anything else throws. */
    JsonNode send(String token, String key) {
        Map<String, Object> input = new HashMap<>();
        input.put("content", "Bench prompt " + key + ": how long does an answer take?");
        input.put("idempotencyKey", "bench-" + runId + "-" + key);
        if (maxTokens > 0) {
            input.put("maxTokens", maxTokens);
        }
        JsonNode answer = http.data(Api.SEND, Map.of("input", input), token).path("sendPrompt");
        String type = answer.path("__typename").asText();
        if (!type.equals("PromptAccepted") && !type.equals("Busy") && !type.equals("InsufficientCredits")) {
            throw new Api.BenchFailure("sendPrompt " + key + " answered " + answer);
        }
        return answer;
    }

    /** One prompt, streamed to done when accepted: {@code done}, {@code Busy}, {@code busy-stream} or {@code InsufficientCredits}. */
    Outcome prompt(Client client, String key) {
        long t0 = System.nanoTime();
        JsonNode answer = send(client.token(), key);
        long answered = System.nanoTime() - t0;
        String type = answer.path("__typename").asText();
        if (!type.equals("PromptAccepted")) {
            return new Outcome(type, answered, -1, -1, 0, 0, answer.path("retryAfterSeconds").asInt(-1));
        }
        String promptId = answer.path("promptId").asText();
        long deadline = t0 + timeout.toNanos();
        GraphQlWsClient.Operation op = client.socket().subscribe(key, Api.STREAM, Map.of("id", promptId));
        try {
            long first = -1;
            int seq = 0;
            while (true) {
                GraphQlWsClient.Message m = next(op, deadline);
                if (!m.isNext()) {
                    throw new Api.BenchFailure("promptStream " + key + " ended with " + m.type() + " " + m.payload()
                            + " after " + seq + " chunks");
                }
                if (m.payload().has("errors")) {
                    throw new Api.BenchFailure("promptStream " + key + " errors: " + GraphQlClient.abbreviate(m.payload().toString()));
                }
                JsonNode chunk = m.payload().path("data").path("promptStream");
                long now = System.nanoTime() - t0;
                if (first < 0) {
                    first = now;
                }
                if (chunk.path("seq").asInt(-1) != seq || !promptId.equals(chunk.path("promptId").asText())) {
                    throw new Api.BenchFailure("promptStream " + key + ": expected seq " + seq + ", got " + chunk);
                }
                seq++;
                if (chunk.path("done").asBoolean(false)) {
                    String failure = chunk.path("failureCode").isNull() ? null : chunk.path("failureCode").asText(null);
                    Outcome outcome;
                    if ("BUSY".equals(failure)) {
                        outcome = new Outcome("busy-stream", answered, first, now, seq, 0, -1);
                    } else if (failure != null || !chunk.path("usage").isObject()) {
                        throw new Api.BenchFailure("promptStream " + key + " final chunk " + chunk);
                    } else {
                        long cost = chunk.path("usage").path("costCredits").asLong();
                        client.costCredits().addAndGet(cost);
                        outcome = new Outcome("done", answered, first, now, seq, cost, -1);
                    }
                    // after the final chunk the server ends the operation with complete (not part of the timings)
                    GraphQlWsClient.Message end = next(op, deadline);
                    if (!"complete".equals(end.type())) {
                        throw new Api.BenchFailure("promptStream " + key + ": expected complete after the final chunk, got " + end);
                    }
                    return outcome;
                }
            }
        } finally {
            op.forget();
        }
    }

    private static GraphQlWsClient.Message next(GraphQlWsClient.Operation op, long deadlineNanos) {
        try {
            return op.await(Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Api.BenchFailure("interrupted");
        } catch (AssertionError e) {
            throw new Api.BenchFailure(e.getMessage());
        }
    }
}
