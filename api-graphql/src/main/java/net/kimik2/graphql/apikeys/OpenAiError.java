package net.kimik2.graphql.apikeys;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error in OpenAI's shape ({@code {"error": {"message", "type", "param", "code"}}}) with its HTTP status, so that
 * the official SDKs raise their typed errors (AuthenticationError, RateLimitError...). Fixed texts only.
 */
record OpenAiError(int status, String type, String code, String param, String message, long retryAfterSeconds) {

    static OpenAiError invalid(String param, String message) {
        return new OpenAiError(400, "invalid_request_error", "invalid_request", param, message, 0);
    }

    static OpenAiError unauthenticated() {
        return new OpenAiError(401, "invalid_request_error", "invalid_api_key", null,
                "Incorrect, revoked or expired API key. Create one with the createApiKey mutation.", 0);
    }

    static OpenAiError rateLimited(String limit, long retryAfterSeconds) {
        return new OpenAiError(429, "rate_limit_error", "rate_limit_exceeded", null,
                "Rate limit reached for " + limit + "; try again in " + retryAfterSeconds + "s.", retryAfterSeconds);
    }

    Map<String, Object> body() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }
}
