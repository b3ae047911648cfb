package net.kimik2.graphql.apikeys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.kimik2.api.accounts.FindPolicyStatusQuery;
import net.kimik2.api.accounts.FindPrivacyChoicesQuery;
import net.kimik2.api.accounts.PolicyStatusView;
import net.kimik2.api.accounts.PrivacyChoicesView;
import net.kimik2.api.apikeys.ApiKeyGrant;
import net.kimik2.api.apikeys.FindApiKeyGrantQuery;
import net.kimik2.api.conversations.FindModelsQuery;
import net.kimik2.api.conversations.FindPromptAnswerQuery;
import net.kimik2.api.conversations.ModelList;
import net.kimik2.api.conversations.ModelView;
import net.kimik2.api.conversations.PromptAcceptance;
import net.kimik2.api.conversations.PromptChunkView;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.PromptStreamSnapshot;
import net.kimik2.api.conversations.SendPromptCommand;
import net.kimik2.api.conversations.StreamPromptQuery;
import net.kimik2.api.conversations.TokenUsage;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.MetadataKeys;
import net.kimik2.graphql.platform.schema.DomainErrors;
import net.kimik2.graphql.platform.security.ApiLimits;
import net.kimik2.graphql.platform.security.CallerConcurrency;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.SubscriptionQueryResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/**
 * OpenAI's chat completions wire format on {@code /v1}, authenticated by an API key (ADR 0019). A request is a
 * {@code sendPrompt}: the same command, hold, ledger entries and conversation history, and the same answer stream;
 * only the framing differs. Each request starts a conversation unless {@code X-Kimi-Conversation-Id} names one of
 * the key owner's; {@code Idempotency-Key} lands a retry on the same prompt, charged once. The request thread
 * stays with the answer until its last chunk, so the per-key prompt limit covers the whole answer.
 */
@RestController
@RequestMapping("/v1")
class OpenAiController {

    static final String CONVERSATION_HEADER = "X-Kimi-Conversation-Id";
    private static final Logger log = LoggerFactory.getLogger(OpenAiController.class);
    private static final int UPDATE_BUFFER = 65_536;

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final CallerConcurrency personConcurrency;
    private final ApiLimits limits;
    private final ObjectMapper json;
    private final int maxBodyBytes;
    private final Duration answerTimeout;

    OpenAiController(CommandGateway commands, QueryGateway queries, CallerConcurrency personConcurrency,
                     ApiLimits limits, ObjectMapper json,
                     @Value("${kimi.openai.max-body-bytes:1048576}") int maxBodyBytes,
                     @Value("${kimi.openai.answer-timeout:PT10M}") Duration answerTimeout) {
        this.commands = commands;
        this.queries = queries;
        this.personConcurrency = personConcurrency;
        this.limits = limits;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
        this.answerTimeout = answerTimeout;
    }

    @GetMapping("/models")
    void models(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            ApiKeyGrant grant = authenticate(request);
            ObjectNode list = json.createObjectNode().put("object", "list");
            ArrayNode data = list.putArray("data");
            for (ModelView model : models()) {
                if (grant.allowsModel(model.id())) {
                    data.addObject().put("id", model.id()).put("object", "model").put("created", 0)
                            .put("owned_by", "moonshotai").put("context_length", model.contextLength());
                }
            }
            writeJson(response, 200, list);
        } catch (OpenAiException e) {
            writeError(response, e.error());
        }
    }

    @PostMapping("/chat/completions")
    void chatCompletions(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            ApiKeyGrant grant = authenticate(request);
            ChatRequest chat = ChatRequest.parse(body(request));
            String conversationId = request.getHeader(CONVERSATION_HEADER);
            SendPromptCommand command = command(grant, chat, conversationId, request.getHeader("Idempotency-Key"));
            if (models().stream().noneMatch(m -> m.id().equals(chat.model()))) {
                throw new OpenAiException(new OpenAiError(404, "invalid_request_error", "model_not_found", "model",
                        "The model does not exist; see GET /v1/models.", 0));
            }
            if (!grant.allowsModel(chat.model())) {
                throw new OpenAiException(new OpenAiError(403, "permission_error", "model_not_allowed", "model",
                        "This API key may not use this model.", 0));
            }
            if (grant.overBudget()) {
                throw new OpenAiException(new OpenAiError(402, "insufficient_quota", "key_budget_exceeded", null,
                        "This API key has spent its monthly budget.", 0));
            }
            Optional<ApiLimits.Refusal> refused = limits.admit(grant.userId(), grant.keyId());
            limits.headers(grant.userId(), grant.keyId()).forEach(response::setHeader);
            if (refused.isPresent()) {
                throw new OpenAiException(OpenAiError.rateLimited(refused.get().limit(),
                        refused.get().retryAfterSeconds()));
            }
            Optional<Boolean> answered = limits.withinKeyConcurrency(grant.keyId(),
                    () -> answer(grant, chat, command, response));
            if (answered.isEmpty()) {
                throw new OpenAiException(OpenAiError.rateLimited("concurrent prompts of this key", 1));
            }
        } catch (OpenAiException e) {
            writeError(response, e.error());
        }
    }

    /** Every other path under /v1: OpenAI's not-found shape rather than the GraphQL one. */
    @RequestMapping("/**")
    void unknown(HttpServletResponse response) throws IOException {
        writeError(response, new OpenAiError(404, "invalid_request_error", "unknown_url", null,
                "Unknown request URL; this service offers GET /v1/models and POST /v1/chat/completions.", 0));
    }

    private ApiKeyGrant authenticate(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new OpenAiException(OpenAiError.unauthenticated());
        }
        String secret = header.substring(7).trim();
        if (!ApiKeySecrets.plausible(secret)) {
            throw new OpenAiException(OpenAiError.unauthenticated());
        }
        return queries.query(new FindApiKeyGrantQuery(ApiKeySecrets.hash(secret)),
                        ResponseTypes.optionalInstanceOf(ApiKeyGrant.class)).join()
                .orElseThrow(() -> new OpenAiException(OpenAiError.unauthenticated()));
    }

    private JsonNode body(HttpServletRequest request) {
        byte[] bytes;
        try {
            bytes = request.getInputStream().readNBytes(maxBodyBytes + 1);
        } catch (IOException e) {
            throw new OpenAiException(OpenAiError.invalid(null, "The request body could not be read."));
        }
        if (bytes.length > maxBodyBytes) {
            throw new OpenAiException(new OpenAiError(413, "invalid_request_error", "request_too_large", null,
                    "The request body is larger than " + maxBodyBytes + " bytes.", 0));
        }
        try {
            return json.readTree(bytes);
        } catch (IOException | RuntimeException e) {
            throw new OpenAiException(OpenAiError.invalid(null, "The request body is not valid JSON."));
        }
    }

    private static SendPromptCommand command(ApiKeyGrant grant, ChatRequest chat, String conversationId,
                                             String idempotencyKey) {
        try {
            return SendPromptCommand.fromCaller(grant.userId(), conversationId, idempotencyKey,
                    chat.content(conversationId != null), null, chat.model(), chat.maxTokens());
        } catch (DomainException e) {
            throw translate(e.error());
        }
    }

    private List<ModelView> models() {
        return queries.query(new FindModelsQuery(), ResponseTypes.instanceOf(ModelList.class)).join().models();
    }

    /** Accepts the prompt (within the person's limit), then relays its answer; answers true when done. */
    private boolean answer(ApiKeyGrant grant, ChatRequest chat, SendPromptCommand command,
                           HttpServletResponse response) {
        PromptAcceptance accepted = personConcurrency.withinLimit(grant.userId(), () -> accept(grant, command))
                .orElseThrow(() -> new OpenAiException(OpenAiError.rateLimited("concurrent prompts", 1)));
        response.setHeader(CONVERSATION_HEADER, accepted.conversationId());
        response.setHeader("X-Kimi-Prompt-Id", accepted.promptId());
        try {
            if (chat.stream()) {
                stream(grant, chat, accepted, response);
            } else {
                complete(grant, chat, accepted, response);
            }
        } catch (IOException e) {
            // the client went away: the answer is still recorded and charged in the conversation
            log.debug("client left during an answer of prompt {}", accepted.promptId());
        }
        return true;
    }

    private PromptAcceptance accept(ApiKeyGrant grant, SendPromptCommand command) {
        // the same rules as GraphQL's sendPrompt: held back while a newer policy waits for acceptance (ADR 0021),
        // and the person's current privacy choices travel with the prompt
        PolicyStatusView policy = queries.query(new FindPolicyStatusQuery(grant.userId()),
                ResponseTypes.instanceOf(PolicyStatusView.class)).join();
        if (policy.acceptanceRequired()) {
            throw new OpenAiException(new OpenAiError(403, "permission_error", "policy_acceptance_required", null,
                    "Accept privacy policy " + policy.currentVersion() + " first (the acceptPolicy mutation).", 0));
        }
        String choices = queries.query(new FindPrivacyChoicesQuery(grant.userId()),
                ResponseTypes.instanceOf(PrivacyChoicesView.class)).join().asMetadata();
        MetaData metadata = MetaData.with(MetadataKeys.ACTOR_ID, grant.userId())
                .and(MetadataKeys.ACTOR_ROLE, "USER")
                .and(MetadataKeys.API_KEY_ID, grant.keyId())
                .and(MetadataKeys.PRIVACY_CHOICES, choices);
        try {
            return commands.sendAndWait(GenericCommandMessage.asCommandMessage(command).withMetaData(metadata));
        } catch (RuntimeException e) {
            throw translate(DomainErrors.of(e).orElseThrow(() -> e));
        }
    }

    private static OpenAiException translate(DomainError error) {
        return new OpenAiException(switch (error.code()) {
            case INSUFFICIENT_CREDITS -> new OpenAiError(402, "insufficient_quota", "insufficient_credits", null,
                    "Insufficient credits: " + error.amount("required") + " would be held, "
                            + error.amount("available") + " are available.", 0);
            case BUSY -> new OpenAiError(429, "rate_limit_error", "model_busy", null,
                    "The model is busy; try again shortly.", Math.max(1, error.amount("retryAfterSeconds")));
            case NOT_FOUND -> new OpenAiError(404, "invalid_request_error", "not_found",
                    "conversationId".equals(error.field()) ? CONVERSATION_HEADER : error.field(), error.message(), 0);
            default -> OpenAiError.invalid(param(error.field()), error.message());
        });
    }

    private static String param(String field) {
        if (field == null) {
            return null;
        }
        return switch (field) {
            case "maxTokens" -> "max_tokens";
            case "content" -> "messages";
            case "idempotencyKey" -> "Idempotency-Key";
            default -> field;
        };
    }

    private void complete(ApiKeyGrant grant, ChatRequest chat, PromptAcceptance accepted,
                          HttpServletResponse response) throws IOException {
        StringBuilder text = new StringBuilder();
        PromptChunkView last = null;
        for (PromptChunkView chunk : chunks(grant.userId(), accepted.promptId()).toIterable()) {
            text.append(chunk.delta());
            last = chunk;
        }
        if (last == null || last.failureCode() != null || last.usage() == null) {
            writeError(response, failure(last));
            return;
        }
        limits.recordTokens(grant.userId(), grant.keyId(), last.usage().promptTokens() + last.usage().completionTokens());
        ObjectNode body = envelope("chat.completion", accepted, chat);
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text.toString()).putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(last.usage(), chat));
        body.set("usage", usage(last.usage()));
        writeJson(response, 200, body);
    }

    private void stream(ApiKeyGrant grant, ChatRequest chat, PromptAcceptance accepted,
                        HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        OutputStream out = response.getOutputStream();
        ObjectNode first = envelope("chat.completion.chunk", accepted, chat);
        ObjectNode firstChoice = first.putArray("choices").addObject().put("index", 0);
        firstChoice.putObject("delta").put("role", "assistant").put("content", "");
        firstChoice.putNull("finish_reason");
        event(out, first, chat);
        PromptChunkView last = null;
        for (PromptChunkView chunk : chunks(grant.userId(), accepted.promptId()).toIterable()) {
            last = chunk;
            if (!chunk.delta().isEmpty()) {
                ObjectNode delta = envelope("chat.completion.chunk", accepted, chat);
                ObjectNode choice = delta.putArray("choices").addObject().put("index", 0);
                choice.putObject("delta").put("content", chunk.delta());
                choice.putNull("finish_reason");
                event(out, delta, chat);
            }
        }
        if (last == null || last.failureCode() != null || last.usage() == null) {
            OpenAiError error = failure(last);
            out.write(("data: " + json.writeValueAsString(error.body()) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return;
        }
        limits.recordTokens(grant.userId(), grant.keyId(), last.usage().promptTokens() + last.usage().completionTokens());
        ObjectNode end = envelope("chat.completion.chunk", accepted, chat);
        ObjectNode choice = end.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta");
        choice.put("finish_reason", finishReason(last.usage(), chat));
        event(out, end, chat);
        if (chat.includeUsage()) {
            ObjectNode usage = envelope("chat.completion.chunk", accepted, chat);
            usage.putArray("choices");
            usage.set("usage", usage(last.usage()));
            out.write(("data: " + json.writeValueAsString(usage) + "\n\n").getBytes(StandardCharsets.UTF_8));
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void event(OutputStream out, ObjectNode chunk, ChatRequest chat) throws IOException {
        if (chat.includeUsage()) {
            chunk.putNull("usage"); // OpenAI's chunks carry usage: null until the usage chunk
        }
        out.write(("data: " + json.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private ObjectNode envelope(String object, PromptAcceptance accepted, ChatRequest chat) {
        return json.createObjectNode().put("id", "chatcmpl-" + accepted.promptId()).put("object", object)
                .put("created", Instant.now().getEpochSecond()).put("model", chat.model())
                .putNull("system_fingerprint");
    }

    private ObjectNode usage(TokenUsage usage) {
        ObjectNode node = json.createObjectNode().put("prompt_tokens", usage.promptTokens())
                .put("completion_tokens", usage.completionTokens())
                .put("total_tokens", usage.promptTokens() + usage.completionTokens());
        node.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedTokens());
        // beside OpenAI's fields, what the answer cost (as OpenRouter reports it): credits, 1 = 1 micro-dollar
        node.put("cost_credits", usage.costCredits());
        return node;
    }

    private static String finishReason(TokenUsage usage, ChatRequest chat) {
        return chat.maxTokens() != null && usage.completionTokens() >= chat.maxTokens() ? "length" : "stop";
    }

    private static OpenAiError failure(PromptChunkView last) {
        PromptFailureCode code = last == null || last.failureCode() == null ? PromptFailureCode.INTERRUPTED
                : last.failureCode();
        return switch (code) {
            case RATE_LIMITED, BUSY -> new OpenAiError(429, "rate_limit_error", code.name().toLowerCase(), null,
                    "The model provider is overloaded; nothing was charged. Try again shortly.", 5);
            case TIMEOUT -> new OpenAiError(504, "server_error", "timeout", null,
                    "The model did not answer in time; nothing was charged.", 0);
            default -> new OpenAiError(502, "server_error", code.name().toLowerCase(), null,
                    "The model failed to answer (" + code.name() + "); nothing was charged.", 0);
        };
    }

    /**
     * The answer's chunks from the first to the final one: the stream while it is in memory (subscribed before the
     * snapshot is read, so nothing falls in between), else the stored answer as one chunk.
     */
    private Flux<PromptChunkView> chunks(String userId, String promptId) {
        SubscriptionQueryResult<PromptStreamSnapshot, PromptChunkView> result = queries.subscriptionQuery(
                StreamPromptQuery.class.getName(), new StreamPromptQuery(promptId, userId),
                ResponseTypes.instanceOf(PromptStreamSnapshot.class), ResponseTypes.instanceOf(PromptChunkView.class),
                UPDATE_BUFFER);
        PromptStreamSnapshot snapshot;
        try {
            snapshot = result.initialResult().block(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            close(result);
            throw e;
        }
        if (snapshot == null || !snapshot.found() || snapshot.done()) {
            close(result);
            if (snapshot != null && snapshot.found()) {
                return Flux.fromIterable(snapshot.chunks());
            }
            return Flux.fromIterable(queries.query(new FindPromptAnswerQuery(promptId, userId),
                    ResponseTypes.optionalInstanceOf(PromptChunkView.class)).join().stream().toList());
        }
        int seen = snapshot.chunks().size();
        return Flux.fromIterable(snapshot.chunks())
                .concatWith(result.updates().filter(c -> c.seq() >= seen))
                .takeUntil(PromptChunkView::done)
                .timeout(answerTimeout, Flux.empty())
                .doFinally(signal -> close(result));
    }

    private static void close(SubscriptionQueryResult<?, ?> result) {
        try {
            result.cancel();
        } catch (reactor.core.publisher.Sinks.EmissionException alreadyCompleted) {
            // nothing left to cancel
        }
    }

    private void writeJson(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(json.writeValueAsBytes(body));
    }

    private void writeError(HttpServletResponse response, OpenAiError error) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        if (error.retryAfterSeconds() > 0) {
            response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(error.retryAfterSeconds()));
        }
        writeJson(response, error.status(), error.body());
    }

}
