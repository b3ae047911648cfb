package net.kimik2.command.conversations;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.kimik2.api.conversations.AnswerRecordedEvent;
import net.kimik2.api.conversations.CompletePromptCommand;
import net.kimik2.api.conversations.ConversationDeletedEvent;
import net.kimik2.api.conversations.ConversationStartedEvent;
import net.kimik2.api.conversations.DeleteConversationCommand;
import net.kimik2.api.conversations.PromptAcceptance;
import net.kimik2.api.conversations.PromptFailedEvent;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import net.kimik2.api.conversations.SendPromptCommand;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.command.conversations.gateway.ChatMessage;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * A conversation: a tree of user and assistant messages, owned by one user. Prompts are submitted through the
 * {@link PromptDesk} (which also holds their credits in the ledger, in the same unit of work); answers and failures
 * come back from the model call. Content lives in events encrypted under the conversation's own key, so deleting
 * the conversation (or erasing its owner) shreds it.
 */
@Aggregate(cache = ConversationsConfiguration.CONVERSATION_CACHE)
class Conversation {

    static final String PROMPT_EXPIRY = "prompt-expiry";
    static final int TITLE_LENGTH = 60;

    @AggregateIdentifier
    private String conversationId;
    private String userId;
    private boolean deleted;
    /** Messages by id, for the model's context; content is decrypted when the events are read. */
    private final Map<String, Message> messages = new HashMap<>();
    /** The newest message, where a prompt without a parent continues. */
    private String lastMessageId;
    private final Map<String, Prompt> prompts = new HashMap<>();

    private record Message(String parentId, String role, String content) {
    }

    private enum Status { PENDING, ANSWERED, FAILED }

    private record Prompt(String messageId, long heldCredits, String model, int maxTokens, Status status,
                          PromptFailureCode failure) {
        Prompt with(Status newStatus, PromptFailureCode code) {
            return new Prompt(messageId, heldCredits, model, maxTokens, newStatus, code);
        }
    }

    /** The payload of a prompt's deadline: a prompt still pending then is marked interrupted. */
    record PromptExpiry(String promptId) {
    }

    /** What the desk needs to size and run a prompt: the model's view of the branch it continues, oldest first. */
    record Plan(String parentId, List<ChatMessage> context, PromptAcceptance existing) {
    }

    Conversation() {
        // for Axon
    }

    /** Starts a conversation with its first prompt (the desk created the hold already). */
    Conversation(SendPromptCommand command, long heldCredits, Duration ttl, DeadlineManager deadlines) {
        Instant now = now();
        apply(new ConversationStartedEvent(command.conversationId(), command.userId(), title(command.content()), now));
        submit(command, heldCredits, ttl, deadlines);
    }

    /** The plan of the first prompt of a new conversation. */
    static Plan planFirst(SendPromptCommand command) {
        if (command.parentId() != null) {
            throw new DomainException(ErrorCode.NOT_FOUND, "parentId", "no such message in this conversation");
        }
        return new Plan(null, List.of(ChatMessage.user(command.content())), null);
    }

    /** Validates a prompt for this conversation and answers its plan; a known prompt id answers its acceptance. */
    Plan plan(SendPromptCommand command) {
        requireOwner(command.userId());
        Prompt known = prompts.get(command.promptId());
        if (known != null) {
            return new Plan(null, List.of(), new PromptAcceptance(command.promptId(), conversationId,
                    known.heldCredits()));
        }
        String parentId = command.parentId() != null ? command.parentId() : lastMessageId;
        if (command.parentId() != null && !messages.containsKey(command.parentId())) {
            throw new DomainException(ErrorCode.NOT_FOUND, "parentId", "no such message in this conversation");
        }
        List<ChatMessage> context = new ArrayList<>();
        for (String id = parentId; id != null; id = messages.get(id).parentId()) {
            Message m = messages.get(id);
            context.add(new ChatMessage(m.role(), m.content()));
        }
        Collections.reverse(context);
        context.add(ChatMessage.user(command.content()));
        return new Plan(parentId, context, null);
    }

    void submit(SendPromptCommand command, long heldCredits, Duration ttl, DeadlineManager deadlines) {
        String parentId = command.parentId() != null ? command.parentId() : lastMessageId;
        apply(new PromptSubmittedEvent(command.conversationId(), command.userId(), command.promptId(),
                messageId(command.promptId(), "user"), parentId, command.content(), command.model(),
                command.maxTokens(), heldCredits, now()));
        // persistent (db-scheduler): a prompt whose call died with the service does not stay pending forever
        deadlines.schedule(ttl, PROMPT_EXPIRY, new PromptExpiry(command.promptId()));
    }

    /** Records the answer once; answers whether it was new (then the desk charges for it). */
    boolean recordAnswer(CompletePromptCommand command) {
        if (deleted && userId.equals(command.userId())) {
            return true; // deleted meanwhile: nothing to record, but the provider was paid, so it is still charged
        }
        requireOwner(command.userId());
        Prompt prompt = prompts.get(command.promptId());
        if (prompt == null) {
            throw new DomainException(ErrorCode.NOT_FOUND, "promptId", "no such prompt");
        }
        if (prompt.status() == Status.ANSWERED) {
            return false;
        }
        // an answer that arrives after an expiry still happened and was paid upstream: it is recorded and charged
        apply(new AnswerRecordedEvent(conversationId, userId, command.promptId(),
                messageId(command.promptId(), "assistant"), prompt.messageId(), command.answer(), prompt.model(),
                command.servedBy(), command.finishReason(), command.usage(), now()));
        return true;
    }

    /** Marks a pending prompt failed; answers whether it was pending (then the desk releases its hold). */
    boolean fail(String promptId, String callerId, PromptFailureCode code) {
        if (deleted && userId.equals(callerId)) {
            return true; // deleted meanwhile: just release the hold (idempotent in the ledger)
        }
        requireOwner(callerId);
        Prompt prompt = prompts.get(promptId);
        if (prompt == null) {
            throw new DomainException(ErrorCode.NOT_FOUND, "promptId", "no such prompt");
        }
        if (prompt.status() != Status.PENDING) {
            return false;
        }
        apply(new PromptFailedEvent(conversationId, userId, promptId, code, now()));
        return true;
    }

    @CommandHandler
    boolean handle(DeleteConversationCommand command) {
        if (deleted || !userId.equals(command.userId())) {
            return false; // someone else's conversation answers like a missing one
        }
        apply(new ConversationDeletedEvent(conversationId, userId, now()));
        return true;
    }

    @DeadlineHandler(deadlineName = PROMPT_EXPIRY)
    void on(PromptExpiry expiry) {
        Prompt prompt = prompts.get(expiry.promptId());
        if (prompt != null && prompt.status() == Status.PENDING && !deleted) {
            apply(new PromptFailedEvent(conversationId, userId, expiry.promptId(), PromptFailureCode.INTERRUPTED,
                    now()));
        }
    }

    String userId() {
        return userId;
    }

    private void requireOwner(String callerId) {
        if (deleted || !userId.equals(callerId)) {
            throw new DomainException(ErrorCode.NOT_FOUND, "conversationId", "no such conversation");
        }
    }

    @EventSourcingHandler
    void on(ConversationStartedEvent event) {
        conversationId = event.conversationId();
        userId = event.userId();
    }

    @EventSourcingHandler
    void on(PromptSubmittedEvent event) {
        messages.put(event.messageId(), new Message(event.parentId(), "user", event.content()));
        lastMessageId = event.messageId();
        prompts.put(event.promptId(), new Prompt(event.messageId(), event.heldCredits(), event.model(),
                event.maxTokens(), Status.PENDING, null));
    }

    @EventSourcingHandler
    void on(AnswerRecordedEvent event) {
        messages.put(event.messageId(), new Message(event.parentId(), "assistant", event.content()));
        lastMessageId = event.messageId();
        prompts.computeIfPresent(event.promptId(), (id, p) -> p.with(Status.ANSWERED, null));
    }

    @EventSourcingHandler
    void on(PromptFailedEvent event) {
        prompts.computeIfPresent(event.promptId(), (id, p) -> p.with(Status.FAILED, event.failureCode()));
    }

    @EventSourcingHandler
    void on(ConversationDeletedEvent event) {
        deleted = true;
        messages.clear();
    }

    /** Message ids derive from the prompt id, so a replayed or retried step names the same message. */
    static String messageId(String promptId, String role) {
        return UUID.nameUUIDFromBytes((promptId + "/" + role).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString();
    }

    /** The first line of the first prompt, shortened; encrypted like the content it comes from. */
    static String title(String content) {
        String line = content.strip().lines().findFirst().orElse("").strip();
        if (line.codePointCount(0, line.length()) <= TITLE_LENGTH) {
            return line.isEmpty() ? "New conversation" : line;
        }
        return line.substring(0, line.offsetByCodePoints(0, TITLE_LENGTH - 1)).strip() + "…";
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }
}
