package net.kimik2.graphql.conversations;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.kimik2.api.accounts.FindPrivacyChoicesQuery;
import net.kimik2.api.accounts.PrivacyChoicesView;
import net.kimik2.api.platform.MetadataKeys;
import net.kimik2.api.conversations.ConversationMessages;
import net.kimik2.api.conversations.ConversationPage;
import net.kimik2.api.conversations.ConversationView;
import net.kimik2.api.conversations.DailyUsageView;
import net.kimik2.api.conversations.DeleteConversationCommand;
import net.kimik2.api.conversations.FindConversationMessagesQuery;
import net.kimik2.api.conversations.FindConversationQuery;
import net.kimik2.api.conversations.FindConversationsQuery;
import net.kimik2.api.conversations.FindModelsQuery;
import net.kimik2.api.conversations.FindPromptAnswerQuery;
import net.kimik2.api.conversations.FindUsageSummaryQuery;
import net.kimik2.api.conversations.MessageView;
import net.kimik2.api.conversations.ModelList;
import net.kimik2.api.conversations.ModelView;
import net.kimik2.api.conversations.PromptAcceptance;
import net.kimik2.api.conversations.PromptChunkView;
import net.kimik2.api.conversations.PromptStreamSnapshot;
import net.kimik2.api.conversations.SendPromptCommand;
import net.kimik2.api.conversations.StreamPromptQuery;
import net.kimik2.api.conversations.UsageSummary;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.platform.PageRequest;
import net.kimik2.graphql.conversations.SendPromptResult.Busy;
import net.kimik2.graphql.conversations.SendPromptResult.InsufficientCredits;
import net.kimik2.graphql.conversations.SendPromptResult.PromptAccepted;
import net.kimik2.graphql.conversations.SendPromptResult.ValidationFailed;
import net.kimik2.graphql.platform.schema.Connections.Connection;
import net.kimik2.graphql.platform.schema.Connections.Edge;
import net.kimik2.graphql.platform.schema.Connections.PageInfo;
import net.kimik2.graphql.platform.schema.DomainErrors;
import net.kimik2.graphql.platform.security.ApiLimits;
import net.kimik2.graphql.platform.security.Caller;
import net.kimik2.graphql.platform.security.CallerConcurrency;
import net.kimik2.graphql.platform.security.CallerPrincipal;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.SubscriptionQueryResult;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

@Controller
class ConversationsController {

    private static final String ID_PATTERN = SendPromptCommand.ID_PATTERN;
    /** Enough for any answer's deltas to wait while a subscriber reads the snapshot (Axon's default is 256). */
    private static final int UPDATE_BUFFER = 65_536;

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final CallerConcurrency concurrency;
    private final ApiLimits limits;

    ConversationsController(CommandGateway commands, QueryGateway queries, CallerConcurrency concurrency,
                            ApiLimits limits) {
        this.commands = commands;
        this.queries = queries;
        this.concurrency = concurrency;
        this.limits = limits;
    }

    record SendPromptInput(String conversationId, String content, String model, Integer maxTokens,
                           String idempotencyKey, String parentId) {
    }

    /** The GraphQL Conversation: {@code messages} is null when it still has to be loaded (lists). */
    record ConversationNode(String id, String title, Instant createdAt, Instant updatedAt, List<MessageView> messages) {
    }

    record PromptChunk(String promptId, int seq, String delta, boolean done, Object usage, String failureCode) {
        static PromptChunk of(PromptChunkView v) {
            return new PromptChunk(v.promptId(), v.seq(), v.delta(), v.done(), v.usage(),
                    v.failureCode() == null ? null : v.failureCode().name());
        }
    }

    record DailyUsage(String day, String model, int answers, long promptTokens, long cachedTokens,
                      long completionTokens, long costCredits, int estimatedAnswers) {
        static DailyUsage of(DailyUsageView v) {
            return new DailyUsage(v.day().toString(), v.model(), v.answers(), v.promptTokens(), v.cachedTokens(),
                    v.completionTokens(), v.costCredits(), v.estimatedAnswers());
        }
    }

    @MutationMapping
    SendPromptResult sendPrompt(@Argument SendPromptInput input) {
        CallerPrincipal caller = Caller.required();
        SendPromptCommand command;
        try {
            command = SendPromptCommand.fromCaller(caller.userId(), input.conversationId(), input.idempotencyKey(),
                    input.content(), input.parentId(), input.model(), input.maxTokens());
        } catch (DomainException e) {
            return new ValidationFailed(e.error().field(), e.error().message());
        }
        // the person's request and token rates, shared with their API keys (ADR 0019)
        Optional<ApiLimits.Refusal> refused = limits.admit(caller.userId(), null);
        if (refused.isPresent()) {
            return new Busy((int) Math.min(Integer.MAX_VALUE, refused.get().retryAfterSeconds()));
        }
        return concurrency.withinLimit(caller.userId(), () -> send(command)).orElseGet(() -> new Busy(1));
    }

    private SendPromptResult send(SendPromptCommand command) {
        try {
            // the person's current privacy choices travel with the prompt (and, as correlation data, its events)
            String choices = queries.query(new FindPrivacyChoicesQuery(command.userId()),
                    ResponseTypes.instanceOf(PrivacyChoicesView.class)).join().asMetadata();
            PromptAcceptance accepted = commands.sendAndWait(GenericCommandMessage.asCommandMessage(command)
                    .withMetaData(Caller.metadata().and(MetadataKeys.PRIVACY_CHOICES, choices)));
            return new PromptAccepted(accepted.promptId(), accepted.conversationId(), accepted.heldCredits());
        } catch (RuntimeException e) {
            DomainError error = DomainErrors.of(e).orElseThrow(() -> e);
            return switch (error.code()) {
                case INSUFFICIENT_CREDITS -> new InsufficientCredits(error.amount("available"),
                        error.amount("required"));
                case BUSY -> new Busy((int) Math.max(1, error.amount("retryAfterSeconds")));
                case VALIDATION_FAILED, NOT_FOUND -> new ValidationFailed(error.field(), error.message());
                default -> throw e;
            };
        }
    }

    @MutationMapping
    boolean deleteConversation(@Argument String id) {
        CallerPrincipal caller = Caller.required();
        if (!id.matches(ID_PATTERN)) {
            return false;
        }
        try {
            Boolean deleted = commands.sendAndWait(GenericCommandMessage.asCommandMessage(
                    new DeleteConversationCommand(id, caller.userId())).withMetaData(Caller.metadata()));
            return Boolean.TRUE.equals(deleted);
        } catch (AggregateNotFoundException e) {
            return false;
        }
    }

    @QueryMapping
    Connection<ConversationNode> conversations(@Argument Integer first, @Argument String after) {
        CallerPrincipal caller = Caller.required();
        ConversationPage page = queries.query(new FindConversationsQuery(caller.userId(), PageRequest.of(first, after)),
                ResponseTypes.instanceOf(ConversationPage.class)).join();
        return new Connection<>(page.conversations().stream()
                .map(c -> new Edge<>(new ConversationNode(c.id(), c.title(), c.createdAt(), c.updatedAt(), null),
                        c.cursor()))
                .toList(), new PageInfo(page.hasNextPage(), page.endCursor()));
    }

    @QueryMapping
    ConversationNode conversation(@Argument String id) {
        CallerPrincipal caller = Caller.required();
        if (!id.matches(ID_PATTERN)) {
            return null;
        }
        Optional<ConversationView> view = queries.query(new FindConversationQuery(id, caller.userId()),
                ResponseTypes.optionalInstanceOf(ConversationView.class)).join();
        return view.map(v -> new ConversationNode(v.id(), v.title(), v.createdAt(), v.updatedAt(), v.messages()))
                .orElse(null);
    }

    /** The messages of a page of conversations in one query instead of one per conversation. */
    @BatchMapping(typeName = "Conversation", field = "messages")
    Map<ConversationNode, List<MessageView>> messages(List<ConversationNode> nodes) {
        Map<ConversationNode, List<MessageView>> result = new LinkedHashMap<>();
        List<String> missing = nodes.stream().filter(n -> n.messages() == null).map(ConversationNode::id).toList();
        Map<String, List<MessageView>> loaded = new LinkedHashMap<>();
        if (!missing.isEmpty()) {
            ConversationMessages found = queries.query(
                    new FindConversationMessagesQuery(Caller.required().userId(), missing),
                    ResponseTypes.instanceOf(ConversationMessages.class)).join();
            for (MessageView m : found.messages()) {
                loaded.computeIfAbsent(m.conversationId(), k -> new ArrayList<>()).add(m);
            }
        }
        for (ConversationNode node : nodes) {
            result.put(node, node.messages() != null ? node.messages() : loaded.getOrDefault(node.id(), List.of()));
        }
        return result;
    }

    @QueryMapping
    List<ModelView> models() {
        return queries.query(new FindModelsQuery(), ResponseTypes.instanceOf(ModelList.class)).join().models();
    }

    @QueryMapping
    List<DailyUsage> usageSummary(@Argument Integer days) {
        CallerPrincipal caller = Caller.required();
        int span = days == null ? 30 : days;
        if (span < 1 || span > 366) {
            throw DomainException.validation("days", "days must be between 1 and 366");
        }
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        UsageSummary summary = queries.query(new FindUsageSummaryQuery(caller.userId(), today.minusDays(span - 1L),
                today), ResponseTypes.instanceOf(UsageSummary.class)).join();
        return summary.days().stream().map(DailyUsage::of).toList();
    }

    /**
     * The snapshot of chunks so far, then the live ones. The update subscription is registered before the snapshot
     * is read, so nothing falls in between; chunks that are in both are told apart by their sequence number.
     */
    @SubscriptionMapping
    Flux<PromptChunk> promptStream(@Argument String promptId) {
        CallerPrincipal caller = Caller.required();
        if (!promptId.matches(ID_PATTERN)) {
            throw new DomainException(ErrorCode.NOT_FOUND, "promptId", "no such prompt");
        }
        SubscriptionQueryResult<PromptStreamSnapshot, PromptChunkView> result = queries.subscriptionQuery(
                StreamPromptQuery.class.getName(), new StreamPromptQuery(promptId, caller.userId()), ResponseTypes.instanceOf(PromptStreamSnapshot.class),
                ResponseTypes.instanceOf(PromptChunkView.class), UPDATE_BUFFER);
        PromptStreamSnapshot snapshot;
        try {
            snapshot = result.initialResult().block(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            close(result);
            throw e;
        }
        if (snapshot == null || !snapshot.found()) {
            close(result);
            // no longer streaming here (finished long ago, or before a restart): the stored answer, in one chunk
            Optional<PromptChunkView> stored = queries.query(new FindPromptAnswerQuery(promptId, caller.userId()),
                    ResponseTypes.optionalInstanceOf(PromptChunkView.class)).join();
            return Flux.just(stored.map(PromptChunk::of).orElseThrow(
                    () -> new DomainException(ErrorCode.NOT_FOUND, "promptId", "no such prompt")));
        }
        Flux<PromptChunkView> known = Flux.fromIterable(snapshot.chunks());
        if (snapshot.done()) {
            close(result);
            return known.map(PromptChunk::of);
        }
        int seen = snapshot.chunks().size();
        return known.concatWith(result.updates().filter(c -> c.seq() >= seen))
                .takeUntil(PromptChunkView::done)
                .map(PromptChunk::of)
                // a client that leaves ends the subscription query; after the last chunk Axon has completed it
                .doOnCancel(() -> close(result))
                .doOnError(e -> close(result));
    }

    /**
     * Ends the subscription query. Axon's cancel fails (FAIL_TERMINATED) when the stream already completed it, which
     * is the normal case for an answer that finished while the snapshot was read: then there is nothing to end.
     */
    private static void close(SubscriptionQueryResult<?, ?> result) {
        try {
            result.cancel();
        } catch (reactor.core.publisher.Sinks.EmissionException alreadyCompleted) {
            // nothing left to cancel
        }
    }

}
