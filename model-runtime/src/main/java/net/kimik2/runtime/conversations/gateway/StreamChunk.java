package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.Usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One parsed {@code chat.completion.chunk} of an OpenAI-compatible stream.
 *
 * <p>Usage is read from the top-level {@code usage} (OpenAI with {@code stream_options.include_usage}) or from
 * {@code choices[0].usage} (Moonshot); when a chunk carries both, the top-level one wins. {@code null} usage
 * objects (OpenAI sends {@code "usage": null} on every chunk) count as absent. Cached tokens come from
 * {@code usage.cached_tokens} (Moonshot) or else {@code usage.prompt_tokens_details.cached_tokens} (OpenAI).
 *
 * @param content       {@code choices[0].delta.content}, or null
 * @param reasoning     {@code choices[0].delta.reasoning_content} (thinking models), or null; not part of the answer
 * @param finishReason  {@code choices[0].finish_reason}, or null
 * @param usage         the usage report of this chunk, or null
 * @param cachedClamped true when the report said more cached than prompt tokens and was clamped
 * @param model         the chunk's {@code model}, or null
 * @param id            the chunk's {@code id} (the provider's completion id), or null
 * @param errorType     for an in-stream error object: its {@code type} or {@code code} (never its message), else null
 */
record StreamChunk(String content, String reasoning, String finishReason, Usage usage, boolean cachedClamped,
                   String model, String id, String errorType) {

    static final class MalformedChunkException extends RuntimeException {
        MalformedChunkException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    boolean isError() {
        return errorType != null;
    }

    static StreamChunk parse(ObjectMapper mapper, String json) {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            // never include the payload: it may contain answer text
            throw new MalformedChunkException("unparseable stream chunk (" + json.length() + " chars)", null);
        }
        if (root == null || !root.isObject()) {
            throw new MalformedChunkException("stream chunk is not a JSON object", null);
        }
        JsonNode error = root.get("error");
        if (error != null && !error.isNull()) {
            return new StreamChunk(null, null, null, null, false, null, null, errorType(error));
        }
        String content = null;
        String reasoning = null;
        String finishReason = null;
        JsonNode choiceUsage = null;
        JsonNode choice = firstChoice(root.get("choices"));
        if (choice != null) {
            JsonNode delta = choice.get("delta");
            if (delta != null && delta.isObject()) {
                content = text(delta.get("content"));
                reasoning = text(delta.get("reasoning_content"));
            }
            finishReason = text(choice.get("finish_reason"));
            choiceUsage = choice.get("usage");
        }
        JsonNode topUsage = root.get("usage");
        JsonNode usageNode = isObject(topUsage) ? topUsage : isObject(choiceUsage) ? choiceUsage : null;
        Usage usage = null;
        boolean clamped = false;
        if (usageNode != null) {
            int prompt = count(usageNode.get("prompt_tokens"));
            int completion = count(usageNode.get("completion_tokens"));
            JsonNode cachedNode = usageNode.get("cached_tokens");
            if (cachedNode == null || cachedNode.isNull()) {
                JsonNode details = usageNode.get("prompt_tokens_details");
                cachedNode = isObject(details) ? details.get("cached_tokens") : null;
            }
            int cached = count(cachedNode);
            if (cached > prompt) {
                cached = prompt;
                clamped = true;
            }
            usage = new Usage(prompt, cached, completion);
        }
        return new StreamChunk(content, reasoning, finishReason, usage, clamped, text(root.get("model")),
                text(root.get("id")), null);
    }

    private static JsonNode firstChoice(JsonNode choices) {
        if (choices == null || !choices.isArray()) {
            return null;
        }
        for (JsonNode choice : choices) {
            JsonNode index = choice.get("index");
            if (index == null || index.isNull() || index.asInt(-1) == 0) {
                return choice;
            }
        }
        return null;
    }

    private static boolean isObject(JsonNode node) {
        return node != null && node.isObject();
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static int count(JsonNode node) {
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.canConvertToInt() || node.asInt() < 0) {
            throw new MalformedChunkException("usage token count out of range", null);
        }
        return node.asInt();
    }

    private static String errorType(JsonNode error) {
        if (error.isObject()) {
            for (String field : new String[] {"type", "code"}) {
                String value = text(error.get(field));
                if (value != null && !value.isBlank()) {
                    return sanitize(value);
                }
            }
        }
        return "error";
    }

    /** Error types are short machine identifiers; anything else is cut so that no free text reaches the logs. */
    static String sanitize(String value) {
        String cleaned = value.replaceAll("[^A-Za-z0-9_.\\-]", "_");
        return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
    }
}
