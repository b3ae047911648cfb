package net.kimik2.testsupport.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain GraphQL-over-HTTP client, as any client of the public API would use: one JDK {@link HttpClient} (its
 * connection pool is thread-safe), HTTP/1.1 (the service speaks plain HTTP; an h2c upgrade attempt would only add
 * headers). {@link #execute} answers the whole response for tests that look at status, errors and cookies;
 * {@link #data} answers {@code data} and turns anything else into a {@link Failure}, for load that must not count an
 * error as an answer.
 */
public final class GraphQlClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final URI endpoint;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** A client of {@code baseUrl} (e.g. {@code http://127.0.0.1:8080}) with a 30 s request timeout. */
    public GraphQlClient(String baseUrl) {
        this(URI.create(baseUrl), DEFAULT_TIMEOUT);
    }

    public GraphQlClient(URI base, Duration requestTimeout) {
        this.endpoint = base.resolve("/graphql");
        this.timeout = requestTimeout;
    }

    /** One HTTP answer: its status, its body as JSON (an empty object when it is not JSON) and its cookies. */
    public record Response(int status, JsonNode body, List<String> setCookies, String raw) {

        public JsonNode data() {
            return body.path("data");
        }

        public JsonNode errors() {
            return body.path("errors");
        }
    }

    /** A failed request, a non-200 answer, a body that is not JSON or an answer with GraphQL errors. */
    public static final class Failure extends RuntimeException {
        public Failure(String message) {
            super(message);
        }

        public Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public Response execute(String query, Map<String, ?> variables, Map<String, String> headers) throws IOException,
            InterruptedException {
        Map<String, Object> payload = new HashMap<>();
        payload.put("query", query);
        payload.put("variables", variables == null ? Map.of() : variables);
        return post(JSON.writeValueAsString(payload), "application/json", headers);
    }

    public Response execute(String query, Map<String, ?> variables) throws IOException, InterruptedException {
        return execute(query, variables, Map.of());
    }

    public Response executeAs(String token, String query, Map<String, ?> variables) throws IOException,
            InterruptedException {
        return execute(query, variables, Map.of("Authorization", "Bearer " + token));
    }

    /** Posts any body with any content type to {@code /graphql} (for tests of malformed requests). */
    public Response post(String body, String contentType, Map<String, String> headers) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException notJson) {
            json = JSON.createObjectNode();
        }
        if (json == null || json.isMissingNode()) {
            json = JSON.createObjectNode(); // an empty body
        }
        return new Response(response.statusCode(), json, response.headers().allValues("set-cookie"), response.body());
    }

    /**
     * Posts one operation ({@code bearerToken} may be null) and answers its {@code data}; a failed request, a
     * non-200 status, a body without {@code data} or any GraphQL error throws a {@link Failure}.
     */
    public JsonNode data(String query, Map<String, ?> variables, String bearerToken) {
        Map<String, String> headers = new HashMap<>();
        // plain JSON, as wrk and most clients ask: a GraphQL error is then a 200 with errors, not a 4xx
        headers.put("Accept", "application/json");
        if (bearerToken != null) {
            headers.put("Authorization", "Bearer " + bearerToken);
        }
        Response response;
        try {
            response = execute(query, variables, headers);
        } catch (IOException e) {
            throw new Failure("HTTP request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted", e);
        }
        if (response.status() != 200) {
            throw new Failure("HTTP " + response.status() + ": " + abbreviate(response.raw()));
        }
        JsonNode errors = response.errors();
        if (errors.isArray() && !errors.isEmpty()) {
            throw new Failure("GraphQL errors: " + abbreviate(errors.toString()));
        }
        if (!response.body().has("data")) {
            throw new Failure("no data in the answer: " + abbreviate(response.raw()));
        }
        return response.data();
    }

    public static String abbreviate(String text) {
        return text == null || text.length() <= 500 ? text : text.substring(0, 500) + "...";
    }
}
