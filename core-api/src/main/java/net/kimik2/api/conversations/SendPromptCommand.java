package net.kimik2.api.conversations;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import net.kimik2.api.privacy.DataSubject;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.privacy.PersonalData;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Sends a prompt: holds its maximum cost, records it in the conversation and starts the model call. Answers a
 * {@link PromptAcceptance}. {@code promptId} is the idempotency key (derived from the caller's key when one was
 * given): sending it again answers the first acceptance and charges nothing. A new conversation is started when
 * {@code startsConversation}; otherwise {@code conversationId} must name one of the user's conversations.
 * {@code parentId} (optional) is the message the prompt answers, for edit and regenerate branches. {@code model}
 * null and {@code maxTokens} 0 take the service's defaults. Build it with {@link #fromCaller} so that every way in
 * derives the ids the same way.
 */
public record SendPromptCommand(
        String promptId,
        @TargetAggregateIdentifier @DataSubject(scope = "conversation", owner = "userId") String conversationId,
        boolean startsConversation,
        String userId,
        @PersonalData String content,
        String parentId,
        String model,
        int maxTokens) {

    /** What a caller may send as an idempotency key. */
    public static final String KEY_PATTERN = "[A-Za-z0-9_.:-]{1,64}";
    /** Conversation and message ids as this service issues them; anything else names nothing. */
    public static final String ID_PATTERN = "[A-Za-z0-9-]{1,64}";

    /**
     * The command for a caller's prompt. A caller's idempotency key names one prompt for good, so a retry lands on
     * the same prompt, hold and conversation; without a key every call is a new prompt. A prompt that starts a
     * conversation names the conversation after itself, so its retry finds that conversation too. Malformed keys and
     * ids are refused here, before the command is routed anywhere.
     *
     * @param conversationId null to start a new conversation
     * @param maxTokens      null for the default
     */
    /**
     * The id of a prompt's message of {@code role} (user or assistant): derived from the prompt id, so that the
     * command side and the views name the same message without looking it up.
     */
    public static String messageId(String promptId, String role) {
        return java.util.UUID.nameUUIDFromBytes((promptId + "/" + role).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString();
    }

    public static SendPromptCommand fromCaller(String userId, String conversationId, String idempotencyKey,
                                               String content, String parentId, String model, Integer maxTokens) {
        if (idempotencyKey != null && !idempotencyKey.matches(KEY_PATTERN)) {
            throw DomainException.validation("idempotencyKey", "idempotencyKey must be 1 to 64 of [A-Za-z0-9_.:-]");
        }
        if (conversationId != null && !conversationId.matches(ID_PATTERN)) {
            throw new DomainException(ErrorCode.NOT_FOUND, "conversationId", "no such conversation");
        }
        if (parentId != null && !parentId.matches(ID_PATTERN)) {
            throw new DomainException(ErrorCode.NOT_FOUND, "parentId", "no such message in this conversation");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw DomainException.validation("maxTokens", "maxTokens must be at least 1");
        }
        String promptId = idempotencyKey == null ? UUID.randomUUID().toString()
                : nameUuid("prompt:" + userId + ":" + idempotencyKey);
        boolean starts = conversationId == null;
        return new SendPromptCommand(promptId, starts ? nameUuid("conversation:" + promptId) : conversationId, starts,
                userId, content, parentId, model, maxTokens == null ? 0 : maxTokens);
    }

    private static String nameUuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Override
    public String toString() {
        return "SendPromptCommand[promptId=" + promptId + ", conversationId=" + conversationId + ", model=" + model + "]";
    }
}
