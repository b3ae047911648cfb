package net.kimik2.command.conversations;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import net.kimik2.api.conversations.AnswerRecordedEvent;
import net.kimik2.api.conversations.CompletePromptCommand;
import net.kimik2.api.conversations.ConversationDeletedEvent;
import net.kimik2.api.conversations.ConversationStartedEvent;
import net.kimik2.api.conversations.DeleteConversationCommand;
import net.kimik2.api.conversations.FailPromptCommand;
import net.kimik2.api.conversations.PromptAcceptance;
import net.kimik2.api.conversations.PromptFailedEvent;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import net.kimik2.api.conversations.SendPromptCommand;
import net.kimik2.api.credits.CaptureCreditsCommand;
import net.kimik2.api.credits.CreditHold;
import net.kimik2.api.credits.CreditLedgerId;
import net.kimik2.api.credits.HoldCreditsCommand;
import net.kimik2.api.credits.ReleaseCode;
import net.kimik2.api.credits.ReleaseCreditsCommand;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.command.conversations.ChatMessage;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * A conversation: a tree of user and assistant messages, owned by one user. Sending, completing and failing a
 * prompt each change the conversation and the owner's credit ledger in one unit of work (the ledger command is
 * dispatched nested, so both commit or neither does); the model call itself runs behind the {@link ModelRuntime}
 * port after commit. Retrying any of them is harmless: the prompt id is the idempotency key of the prompt and of its
 * hold. Content lives in events encrypted under the conversation's own key, so deleting
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

    /** What sizing and running a prompt needs: the model's view of the branch it continues, oldest first. */
    private record Plan(List<ChatMessage> context, PromptAcceptance existing) {
    }

    Conversation() {
        // for Axon
    }

    /**
     * Accepts a prompt: sizes its hold from the branch it continues, holds that in the person's ledger (a nested
     * command, so both commit or neither does; the ledger refuses what is not available), records the prompt, and
     * hands it to the model runtime, which starts the call after commit. A prompt id seen before answers its first
     * acceptance and changes nothing. A prompt that starts a conversation creates it.
     */
    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    PromptAcceptance handle(SendPromptCommand sent, ModelRuntime runtime, PromptSettings settings,
                            CommandGateway commands, DeadlineManager deadlines) {
        SendPromptCommand command = withDefaults(sent, runtime, settings);
        validate(command, settings);
        boolean starting = conversationId == null;
        if (starting && !command.startsConversation()) {
            throw new DomainException(ErrorCode.NOT_FOUND, "conversationId", "no such conversation");
        }
        Plan plan = starting ? planFirst(command) : plan(command);
        if (plan.existing() != null) {
            return plan.existing(); // a retry: already accepted, nothing more to hold or run
        }
        ModelPrice price = runtime.price(command.model())
                .orElseThrow(() -> DomainException.validation("model", "unknown model; see the models query"));
        int promptTokens = TokenEstimator.estimatePromptTokens(plan.context());
        if (promptTokens >= price.contextLength()) {
            throw DomainException.validation("content", "the conversation is too long for this model");
        }
        int maxTokens = Math.min(command.maxTokens(), price.contextLength() - promptTokens);
        OptionalInt busy = runtime.retryAfterIfFull();
        if (busy.isPresent()) {
            throw new DomainException(new DomainError(ErrorCode.BUSY, null, "the model is busy, try again later",
                    Map.of("retryAfterSeconds", (long) busy.getAsInt())));
        }
        long required = Pricing.maxCost(promptTokens, maxTokens, price);
        CreditHold hold = commands.sendAndWait(new HoldCreditsCommand(CreditLedgerId.forUser(command.userId()),
                command.promptId(), required, command.conversationId(), now().plus(settings.holdTtl)));
        if (!hold.created()) {
            // the ledger knew this prompt (a retry that raced the first attempt): answer the first acceptance
            return new PromptAcceptance(command.promptId(), hold.purposeId(), hold.amount());
        }
        if (starting) {
            apply(new ConversationStartedEvent(command.conversationId(), command.userId(), title(command.content()),
                    now()));
        }
        String parentId = command.parentId() != null ? command.parentId() : lastMessageId;
        apply(new PromptSubmittedEvent(command.conversationId(), command.userId(), command.promptId(),
                messageId(command.promptId(), "user"), parentId, command.content(), command.model(),
                command.maxTokens(), required, now()));
        // persistent (db-scheduler): a prompt whose call died with the service does not stay pending forever
        deadlines.schedule(settings.holdTtl, PROMPT_EXPIRY, new PromptExpiry(command.promptId()));
        runtime.runAfterCommit(new PromptRun(command.promptId(), command.conversationId(), command.userId(), price,
                maxTokens, plan.context()));
        return new PromptAcceptance(command.promptId(), command.conversationId(), required);
    }

    /** The plan of the first prompt of a new conversation. */
    private static Plan planFirst(SendPromptCommand command) {
        if (command.parentId() != null) {
            throw new DomainException(ErrorCode.NOT_FOUND, "parentId", "no such message in this conversation");
        }
        return new Plan(List.of(ChatMessage.user(command.content())), null);
    }

    /** Validates a prompt for this conversation and answers its plan; a known prompt id answers its acceptance. */
    private Plan plan(SendPromptCommand command) {
        requireOwner(command.userId());
        Prompt known = prompts.get(command.promptId());
        if (known != null) {
            return new Plan(List.of(), new PromptAcceptance(command.promptId(), conversationId, known.heldCredits()));
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
        return new Plan(context, null);
    }

    /**
     * Records the answer once and captures its cost (releasing the rest of the hold) in the same unit of work;
     * answers whether it was new. An answer that arrives after an expiry, or after the conversation was deleted,
     * still happened and was paid upstream: it is charged.
     */
    @CommandHandler
    boolean handle(CompletePromptCommand command, CommandGateway commands) {
        boolean recorded = recordAnswer(command);
        if (recorded) {
            commands.sendAndWait(new CaptureCreditsCommand(CreditLedgerId.forUser(command.userId()),
                    command.promptId(), command.usage().costCredits()));
        }
        return recorded;
    }

    private boolean recordAnswer(CompletePromptCommand command) {
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
        apply(new AnswerRecordedEvent(conversationId, userId, command.promptId(),
                messageId(command.promptId(), "assistant"), prompt.messageId(), command.answer(), prompt.model(),
                command.servedBy(), command.finishReason(), command.usage(), now()));
        return true;
    }

    /** Marks a pending prompt failed and releases its whole hold; answers whether it was pending. */
    @CommandHandler
    boolean handle(FailPromptCommand command, CommandGateway commands) {
        boolean failed = fail(command.promptId(), command.userId(), command.failureCode());
        if (failed) {
            commands.sendAndWait(new ReleaseCreditsCommand(CreditLedgerId.forUser(command.userId()),
                    command.promptId(), ReleaseCode.FAILED));
        }
        return failed;
    }

    private boolean fail(String promptId, String callerId, PromptFailureCode code) {
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

    private static SendPromptCommand withDefaults(SendPromptCommand c, ModelRuntime runtime, PromptSettings settings) {
        String model = c.model() == null || c.model().isBlank() ? runtime.defaultModelId() : c.model();
        int maxTokens = c.maxTokens() == 0 ? settings.defaultMaxTokens : c.maxTokens();
        return new SendPromptCommand(c.promptId(), c.conversationId(), c.startsConversation(), c.userId(), c.content(),
                c.parentId(), model, maxTokens);
    }

    private static void validate(SendPromptCommand command, PromptSettings settings) {
        if (command.content() == null || command.content().isBlank()) {
            throw DomainException.validation("content", "content must not be empty");
        }
        if (command.content().length() > settings.maxContentChars) {
            throw DomainException.validation("content", "content must be at most " + settings.maxContentChars
                    + " characters");
        }
        if (command.maxTokens() < 1 || command.maxTokens() > settings.maxTokensLimit) {
            throw DomainException.validation("maxTokens", "maxTokens must be between 1 and "
                    + settings.maxTokensLimit);
        }
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
        return SendPromptCommand.messageId(promptId, role);
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
