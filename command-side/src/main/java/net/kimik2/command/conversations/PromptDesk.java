package net.kimik2.command.conversations;

import java.time.Instant;
import java.util.List;
import net.kimik2.api.conversations.CompletePromptCommand;
import net.kimik2.api.conversations.FailPromptCommand;
import net.kimik2.api.conversations.PromptAcceptance;
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
import net.kimik2.command.conversations.gateway.LimitedModelGateway;
import net.kimik2.command.conversations.gateway.ModelCatalog;
import net.kimik2.command.conversations.gateway.ModelPrice;
import net.kimik2.command.conversations.gateway.Pricing;
import net.kimik2.command.conversations.gateway.TokenEstimator;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.modelling.command.Aggregate;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.Repository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Where prompts are accepted and settled. Each command here changes the conversation and the user's credit ledger
 * in one unit of work (the ledger command is dispatched nested, so both commit or neither does):
 * <ul>
 *   <li>send: size the hold from the conversation's context, hold it (the ledger refuses what is not available),
 *       record the prompt, and after commit start the model call;</li>
 *   <li>complete: record the answer and capture its actual cost (releasing the rest of the hold);</li>
 *   <li>fail: mark the prompt failed and release its whole hold.</li>
 * </ul>
 * Retrying any of them is harmless: the prompt id is the idempotency key of the prompt and of its hold.
 */
@Component
class PromptDesk {

    private final ObjectProvider<Repository<Conversation>> conversations;
    private final CommandGateway commands;
    private final ModelCatalog catalog;
    private final LimitedModelGateway gateway;
    private final PromptRunner runner;
    private final PromptSettings settings;
    private final EventStore eventStore;
    private final PerUserAdmission admission;

    PromptDesk(@Qualifier("conversationRepository") ObjectProvider<Repository<Conversation>> conversations,
               CommandGateway commands, ModelCatalog catalog, LimitedModelGateway gateway, PromptRunner runner,
               PromptSettings settings, EventStore eventStore) {
        this.eventStore = eventStore;
        this.conversations = conversations;
        this.commands = commands;
        this.catalog = catalog;
        this.gateway = gateway;
        this.runner = runner;
        this.settings = settings;
        this.admission = new PerUserAdmission(settings.maxConcurrentPerUser);
    }

    @CommandHandler
    PromptAcceptance handle(SendPromptCommand sent, DeadlineManager deadlines) throws Exception {
        SendPromptCommand command = withDefaults(sent);
        validate(command);
        // bounded per person before any lock (conversation, ledger) is taken
        admission.enter(command.userId());
        try {
            return accept(command, deadlines);
        } finally {
            admission.leave(command.userId());
        }
    }

    private PromptAcceptance accept(SendPromptCommand command, DeadlineManager deadlines) throws Exception {
        Repository<Conversation> repository = conversations.getObject();
        Aggregate<Conversation> existing = load(repository, command.conversationId(), command.startsConversation());
        Conversation.Plan plan = existing == null ? Conversation.planFirst(command)
                : existing.invoke(c -> c.plan(command));
        if (plan.existing() != null) {
            return plan.existing(); // a retry: already accepted, nothing more to hold or run
        }
        ModelPrice price = catalog.price(command.model())
                .orElseThrow(() -> DomainException.validation("model", "unknown model"));
        int promptTokens = TokenEstimator.estimatePromptTokens(plan.context());
        if (promptTokens >= price.contextLength()) {
            throw DomainException.validation("content", "the conversation is too long for this model");
        }
        int maxTokens = Math.min(command.maxTokens(), price.contextLength() - promptTokens);
        var busy = gateway.limiter().retryAfterIfFull();
        if (busy.isPresent()) {
            throw new DomainException(new DomainError(ErrorCode.BUSY, null, "the model is busy, try again later",
                    java.util.Map.of("retryAfterSeconds", (long) busy.getAsInt())));
        }
        long required = Pricing.maxCost(promptTokens, maxTokens, price);
        Instant now = GenericEventMessage.clock.instant();
        CreditHold hold = commands.sendAndWait(new HoldCreditsCommand(CreditLedgerId.forUser(command.userId()),
                command.promptId(), required, command.conversationId(), now.plus(settings.holdTtl)));
        if (!hold.created()) {
            // the ledger knew this prompt (a retry that raced the first attempt): answer the first acceptance
            return new PromptAcceptance(command.promptId(), hold.purposeId(), hold.amount());
        }
        if (existing == null) {
            repository.newInstance(() -> new Conversation(command, required, settings.holdTtl, deadlines));
        } else {
            existing.execute(c -> c.submit(command, required, settings.holdTtl, deadlines));
        }
        PromptRunner.Job job = new PromptRunner.Job(command.promptId(), command.conversationId(), command.userId(),
                price, maxTokens, List.copyOf(plan.context()));
        runner.register(job);
        CurrentUnitOfWork.get().afterCommit(u -> runner.start(job));
        CurrentUnitOfWork.get().onRollback(u -> runner.forget(job.promptId()));
        return new PromptAcceptance(command.promptId(), command.conversationId(), required);
    }

    @CommandHandler
    boolean handle(CompletePromptCommand command) {
        Aggregate<Conversation> conversation = conversations.getObject().load(command.conversationId());
        boolean recorded = conversation.invoke(c -> c.recordAnswer(command));
        if (recorded) {
            commands.sendAndWait(new CaptureCreditsCommand(CreditLedgerId.forUser(command.userId()),
                    command.promptId(), command.usage().costCredits()));
        }
        return recorded;
    }

    @CommandHandler
    boolean handle(FailPromptCommand command) {
        Aggregate<Conversation> conversation = conversations.getObject().load(command.conversationId());
        boolean failed = conversation.invoke(c -> c.fail(command.promptId(), command.userId(), command.failureCode()));
        if (failed) {
            commands.sendAndWait(new ReleaseCreditsCommand(CreditLedgerId.forUser(command.userId()),
                    command.promptId(), ReleaseCode.FAILED));
        }
        return failed;
    }

    private Aggregate<Conversation> load(Repository<Conversation> repository, String conversationId,
                                         boolean startsConversation) {
        if (startsConversation && eventStore.lastSequenceNumberFor(conversationId).isEmpty()) {
            return null; // the usual case, asked cheaply (a failed load would log a stack trace per prompt)
        }
        try {
            return repository.load(conversationId);
        } catch (AggregateNotFoundException e) {
            if (startsConversation) {
                return null;
            }
            throw new DomainException(ErrorCode.NOT_FOUND, "conversationId", "no such conversation");
        }
    }

    private SendPromptCommand withDefaults(SendPromptCommand c) {
        String model = c.model() == null || c.model().isBlank() ? catalog.defaultModelId() : c.model();
        int maxTokens = c.maxTokens() == 0 ? settings.defaultMaxTokens : c.maxTokens();
        return new SendPromptCommand(c.promptId(), c.conversationId(), c.startsConversation(), c.userId(), c.content(),
                c.parentId(), model, maxTokens);
    }

    private void validate(SendPromptCommand command) {
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
        if (command.model() == null || !catalog.contains(command.model())) {
            throw DomainException.validation("model", "unknown model; see the models query");
        }
    }
}
