package net.kimik2.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A plain HTTP GraphQL client, as any client of the public API would use. */
final class GraphQlClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    GraphQlClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    record Response(int status, JsonNode body, List<String> setCookies, String raw) {

        JsonNode data() {
            return body.path("data");
        }

        JsonNode errors() {
            return body.path("errors");
        }
    }

    Response execute(String query, Map<String, Object> variables, Map<String, String> headers) throws Exception {
        String payload = JSON.writeValueAsString(Map.of("query", query, "variables", variables));
        return post(payload, "application/json", headers);
    }

    Response execute(String query, Map<String, Object> variables) throws Exception {
        return execute(query, variables, Map.of());
    }

    Response executeAs(String token, String query, Map<String, Object> variables) throws Exception {
        return execute(query, variables, Map.of("Authorization", "Bearer " + token));
    }

    Response post(String body, String contentType, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/graphql"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (Exception notJson) {
            json = JSON.createObjectNode();
        }
        return new Response(response.statusCode(), json, response.headers().allValues("set-cookie"), response.body());
    }
}
