package net.kimik2.graphql.apikeys;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The part of an OpenAI chat completion request this service acts on; every other field is ignored (never bound
 * onto anything: no field of the body can choose whose credits pay or which conversation is written).
 */
record ChatRequest(String model, List<Message> messages, Integer maxTokens, boolean stream, boolean includeUsage) {

    record Message(String role, String content) {
    }

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

    /** Parses and checks a request body; throws {@link OpenAiException} (400) on anything malformed. */
    static ChatRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw bad(null, "The request body must be a JSON object.");
        }
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank() || model.asText().length() > 64) {
            throw bad("model", "model must be a model id; see GET /v1/models.");
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty() || messages.size() > 1000) {
            throw bad("messages", "messages must be a non-empty array of at most 1000 messages.");
        }
        List<Message> parsed = new ArrayList<>();
        for (JsonNode m : messages) {
            if (!m.isObject() || !m.path("role").isTextual() || !ROLES.contains(m.path("role").asText())) {
                throw bad("messages", "each message needs a role of system, developer, user or assistant.");
            }
            parsed.add(new Message(m.get("role").asText(), content(m.get("content"))));
        }
        if (parsed.stream().noneMatch(m -> m.role().equals("user"))) {
            throw bad("messages", "messages must contain a user message.");
        }
        Integer maxTokens = integer(body, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = integer(body, "max_tokens");
        }
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asInt() == 1)) {
            throw bad("n", "only n = 1 is supported.");
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw bad("stream", "stream must be a boolean.");
        }
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull() && !options.isObject()) {
            throw bad("stream_options", "stream_options must be an object.");
        }
        boolean includeUsage = options != null && options.path("include_usage").asBoolean(false);
        return new ChatRequest(model.asText(), List.copyOf(parsed), maxTokens, stream != null && stream.asBoolean(),
                includeUsage);
    }

    private static String content(JsonNode content) {
        if (content != null && content.isTextual()) {
            return content.asText();
        }
        if (content != null && content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!part.path("type").asText().equals("text") || !part.path("text").isTextual()) {
                    throw bad("messages", "only text content parts are supported.");
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw bad("messages", "message content must be a string or an array of text parts.");
    }

    private static Integer integer(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 1) {
            throw bad(field, field + " must be a positive integer.");
        }
        return value.asInt();
    }

    /**
     * What the conversation records as the prompt. Continuing a named conversation sends only the newest user
     * message (the conversation already holds the rest); a new conversation gets the whole transcript, each message
     * under its role, unless it is a single user message.
     */
    String content(boolean continuing) {
        List<Message> users = messages.stream().filter(m -> m.role().equals("user")).toList();
        if (continuing || messages.size() == 1) {
            return users.get(users.size() - 1).content();
        }
        StringBuilder transcript = new StringBuilder();
        for (Message m : messages) {
            if (!transcript.isEmpty()) {
                transcript.append("\n\n");
            }
            transcript.append(m.role()).append(": ").append(m.content());
        }
        return transcript.toString();
    }

    private static OpenAiException bad(String param, String message) {
        return new OpenAiException(OpenAiError.invalid(param, message));
    }
}
