package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Minimal GraphQL-over-HTTP client: one shared JDK HttpClient (its connection pool is thread-safe). */
final class GraphQlClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI endpoint;
    private final Duration timeout;

    GraphQlClient(URI base, Duration timeout) {
        // HTTP/1.1: the service speaks plain HTTP, and h2c upgrade attempts would only add a round trip.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.endpoint = base.resolve("/graphql");
        this.timeout = timeout;
    }

    /** Posts one operation and returns its {@code data}; GraphQL errors and non-200 answers become exceptions. */
    JsonNode execute(String query, Map<String, Object> variables, String bearerToken) {
        ObjectNode body = JSON.createObjectNode();
        body.put("query", query);
        if (variables != null && !variables.isEmpty()) {
            body.set("variables", JSON.valueToTree(variables));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new BenchFailure("HTTP request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchFailure("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new BenchFailure("HTTP " + response.statusCode() + ": " + abbreviate(response.body()));
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new BenchFailure("not JSON: " + abbreviate(response.body()), e);
        }
        JsonNode errors = answer.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            throw new BenchFailure("GraphQL errors: " + abbreviate(errors.toString()));
        }
        return answer.path("data");
    }

    /** Status code of a plain GET (used for the health probe); -1 when the service does not answer yet. */
    int get(URI uri, StringBuilder bodyOut) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            bodyOut.setLength(0);
            bodyOut.append(response.body());
            return response.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static String abbreviate(String text) {
        return text == null || text.length() <= 500 ? text : text.substring(0, 500) + "...";
    }

    /** A failed request or a failed check; the bench counts these and refuses to publish a run that has any. */
    static final class BenchFailure extends RuntimeException {
        BenchFailure(String message) {
            super(message);
        }

        BenchFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
