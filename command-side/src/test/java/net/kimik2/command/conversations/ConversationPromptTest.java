package net.kimik2.command.conversations;

import static net.kimik2.command.testsupport.DomainErrors.assertDomainError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.axonframework.test.matchers.Matchers.andNoMore;
import static org.axonframework.test.matchers.Matchers.exactSequenceOf;
import static org.axonframework.test.matchers.Matchers.payloadsMatching;
import static org.axonframework.test.matchers.Matchers.predicate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import net.kimik2.api.conversations.AnswerRecordedEvent;
import net.kimik2.api.conversations.CompletePromptCommand;
import net.kimik2.api.conversations.ConversationDeletedEvent;
import net.kimik2.api.conversations.ConversationStartedEvent;
import net.kimik2.api.conversations.FailPromptCommand;
import net.kimik2.api.conversations.PromptAcceptance;
import net.kimik2.api.conversations.PromptFailedEvent;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import net.kimik2.api.conversations.SendPromptCommand;
import net.kimik2.api.conversations.TokenUsage;
import net.kimik2.api.credits.CaptureCreditsCommand;
import net.kimik2.api.credits.CreditHold;
import net.kimik2.api.credits.CreditLedgerId;
import net.kimik2.api.credits.HoldCreditsCommand;
import net.kimik2.api.credits.ReleaseCode;
import net.kimik2.api.credits.ReleaseCreditsCommand;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.command.testsupport.Captured;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The money rules of a prompt, in Axon's fixture: send holds the maximum cost and records the prompt, complete
 * captures the actual cost once, fail releases the whole hold once, and a prompt still pending at its deadline is
 * interrupted. The nested ledger commands go to a small stand-in ledger (its own rules are CreditLedgerHoldTest's),
 * the model runtime is a plain implementation of the port.
 */
class ConversationPromptTest {

    private static final Instant NOW = Instant.parse("2026-11-01T12:00:00Z");
    private static final Duration HOLD_TTL = Duration.ofMinutes(15);
    private static final String MODEL = "kimi-test";
    private static final ModelPrice PRICE = new ModelPrice(MODEL, 1_000, 150_000, 600_000, 2_500_000, "2026-01",
            Instant.parse("2026-01-01T00:00:00Z"));
    private static final String LEDGER = CreditLedgerId.forUser("u-1");

    private FixtureConfiguration<Conversation> fixture;
    private final TestRuntime runtime = new TestRuntime();
    private final TestLedger ledger = new TestLedger();

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Conversation.class);
        fixture.registerInjectableResource(runtime);
        fixture.registerInjectableResource(new PromptSettings(100, 500, 1_000, HOLD_TTL));
        fixture.registerInjectableResource(DefaultCommandGateway.builder().commandBus(fixture.getCommandBus()).build());
        fixture.registerCommandHandler(HoldCreditsCommand.class, m -> ledger.hold((HoldCreditsCommand) m.getPayload()));
        fixture.registerCommandHandler(CaptureCreditsCommand.class, m -> ledger.record(m.getPayload()));
        fixture.registerCommandHandler(ReleaseCreditsCommand.class, m -> ledger.record(m.getPayload()));
    }

    // ---- send ----------------------------------------------------------------------------------------------------

    @Test
    void theFirstPromptStartsTheConversationHoldsItsMaximumCostAndRunsAfterCommit() {
        long hold = maxCost(List.of(ChatMessage.user("Hello there")), 100);
        fixture.givenCurrentTime(NOW)
                .when(send("p-1", "c-1", true, "Hello there", null))
                .expectEvents(new ConversationStartedEvent("c-1", "u-1", "Hello there", NOW),
                        submitted("p-1", null, "Hello there", hold))
                .expectResultMessagePayload(new PromptAcceptance("p-1", "c-1", hold))
                .expectScheduledDeadline(HOLD_TTL, new Conversation.PromptExpiry("p-1"));
        assertThat(ledger.commands).containsExactly(
                new HoldCreditsCommand(LEDGER, "p-1", hold, "c-1", NOW.plus(HOLD_TTL)));
        assertThat(runtime.runs).containsExactly(new PromptRun("p-1", "c-1", "u-1", PRICE, 100,
                List.of(ChatMessage.user("Hello there"))));
    }

    @Test
    void aFollowUpCarriesTheBranchItContinuesAndIsSizedByIt() {
        List<ChatMessage> context = List.of(ChatMessage.user("Hello there"), ChatMessage.assistant("Hi!"),
                ChatMessage.user("And then?"));
        long hold = maxCost(context, 100);
        fixture.givenCurrentTime(NOW)
                .andGiven(started(), submitted("p-1", null, "Hello there", 500), answered("p-1"))
                .when(send("p-2", "c-1", false, "And then?", null))
                .expectEvents(submitted("p-2", Conversation.messageId("p-1", "assistant"), "And then?", hold))
                .expectResultMessagePayload(new PromptAcceptance("p-2", "c-1", hold));
        assertThat(runtime.runs).singleElement().extracting(PromptRun::context).isEqualTo(context);
    }

    @Test
    void withTooFewCreditsNothingIsRecordedAndNothingRuns() {
        ledger.available = 10;
        Captured<Object> thrown = new Captured<>();
        fixture.givenCurrentTime(NOW)
                .when(send("p-1", "c-1", true, "Hello there", null))
                .expectNoEvents()
                .expectException(thrown);
        DomainError error = assertDomainError(thrown.get(), ErrorCode.INSUFFICIENT_CREDITS, null);
        assertThat(error.amount("available")).isEqualTo(10);
        assertThat(runtime.runs).isEmpty();
    }

    @Test
    void aRetriedPromptAnswersItsFirstAcceptanceAndHoldsNothingMore() {
        fixture.givenCurrentTime(NOW)
                .andGiven(started(), submitted("p-1", null, "Hello there", 500))
                .when(send("p-1", "c-1", true, "Hello there", null))
                .expectNoEvents()
                .expectResultMessagePayload(new PromptAcceptance("p-1", "c-1", 500));
        assertThat(ledger.commands).isEmpty();
        assertThat(runtime.runs).isEmpty();
    }

    @Test
    void someoneElsesConversationAndAMissingParentAreNotFoundAndCostNothing() {
        Captured<Object> thrown = new Captured<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(started(), submitted("p-1", null, "Hello there", 500))
                .when(new SendPromptCommand("p-2", "c-1", false, "u-2", "mine now?", null, MODEL, 10))
                .expectNoEvents()
                .expectException(thrown);
        assertDomainError(thrown.get(), ErrorCode.NOT_FOUND, "conversationId");


        Captured<Object> parent = new Captured<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(started(), submitted("p-1", null, "Hello there", 500))
                .when(send("p-4", "c-1", false, "edit", "m-404"))
                .expectNoEvents()
                .expectException(parent);
        assertDomainError(parent.get(), ErrorCode.NOT_FOUND, "parentId");
        assertThat(ledger.commands).isEmpty();
    }

    @Test
    void continuingAConversationThatDoesNotExistIsNotFound() {
        Captured<Object> missing = new Captured<>();
        fixture.givenCurrentTime(NOW)
                .when(send("p-3", "c-404", false, "anyone there?", null))
                .expectNoEvents()
                .expectException(missing);
        assertDomainError(missing.get(), ErrorCode.NOT_FOUND, "conversationId");
        assertThat(ledger.commands).isEmpty();
    }

    @Test
    void invalidPromptsAreRefusedBeforeAnyHold() {
        for (var c : Map.of(
                "content", new SendPromptCommand("p-1", "c-1", true, "u-1", "  ", null, MODEL, 10),
                "maxTokens", new SendPromptCommand("p-1", "c-1", true, "u-1", "hi", null, MODEL, 501),
                "model", new SendPromptCommand("p-1", "c-1", true, "u-1", "hi", null, "no-such-model", 10)).entrySet()) {
            Captured<Object> thrown = new Captured<>();
            fixture.givenCurrentTime(NOW).when(c.getValue()).expectNoEvents().expectException(thrown);
            assertDomainError(thrown.get(), ErrorCode.VALIDATION_FAILED, c.getKey());
        }
        assertThat(ledger.commands).isEmpty();
    }

    @Test
    void aFullModelQueueAnswersBusyWithItsHintBeforeAnyHold() {
        runtime.retryAfter = OptionalInt.of(3);
        Captured<Object> thrown = new Captured<>();
        fixture.givenCurrentTime(NOW)
                .when(send("p-1", "c-1", true, "Hello there", null))
                .expectNoEvents()
                .expectException(thrown);
        assertThat(assertDomainError(thrown.get(), ErrorCode.BUSY, null).amount("retryAfterSeconds")).isEqualTo(3);
        assertThat(ledger.commands).isEmpty();
    }

    // ---- complete, fail, expire -----------------------------------------------------------------------------------

    @Test
    void anAnswerIsRecordedAndCapturedExactlyOnce() {
        fixture.givenCurrentTime(NOW)
                .andGiven(started(), submitted("p-1", null, "Hello there", 500))
                .when(complete("p-1"))
                .expectEvents(answered("p-1"))
                .expectResultMessagePayload(true);
        fixture.givenCurrentTime(NOW)
                .andGiven(started(), submitted("p-1", null, "Hello there", 500), answered("p-1"))
                .when(complete("p-1"))
                .expectNoEvents()
                .expectResultMessagePayload(false);
        assertThat(ledger.commands).containsExactly(new CaptureCreditsCommand(LEDGER, "p-1", 42));
    }

    @Test
    void aFailureMarksThePendingPromptAndReleasesItsWholeHoldOnce() {
        fixture.givenCurrentTime(NOW)
                .andGiven(started(), submitted("p-1", null, "Hello there", 500))
                .when(new FailPromptCommand("c-1", "u-1", "p-1", PromptFailureCode.TIMEOUT))
                .expectEvents(new PromptFailedEvent("c-1", "u-1", "p-1", PromptFailureCode.TIMEOUT, NOW))
                .expectResultMessagePayload(true);
        // an answered prompt is not failed afterwards: its capture stands
        fixture.givenCurrentTime(NOW)
                .andGiven(started(), submitted("p-1", null, "Hello there", 500), answered("p-1"))
                .when(new FailPromptCommand("c-1", "u-1", "p-1", PromptFailureCode.TIMEOUT))
                .expectNoEvents()
                .expectResultMessagePayload(false);
        assertThat(ledger.commands).containsExactly(new ReleaseCreditsCommand(LEDGER, "p-1", ReleaseCode.FAILED));
    }

    @Test
    void anAnswerAfterDeletionIsStillChargedAndAFailureStillReleased() {
        fixture.givenCurrentTime(NOW)
                .andGiven(started(), submitted("p-1", null, "Hello there", 500),
                        new ConversationDeletedEvent("c-1", "u-1", NOW))
                .when(complete("p-1"))
                .expectNoEvents()
                .expectResultMessagePayload(true);
        fixture.givenCurrentTime(NOW)
                .andGiven(started(), submitted("p-2", null, "Hello there", 500),
                        new ConversationDeletedEvent("c-1", "u-1", NOW))
                .when(new FailPromptCommand("c-1", "u-1", "p-2", PromptFailureCode.INTERRUPTED))
                .expectNoEvents()
                .expectResultMessagePayload(true);
        assertThat(ledger.commands).containsExactly(new CaptureCreditsCommand(LEDGER, "p-1", 42),
                new ReleaseCreditsCommand(LEDGER, "p-2", ReleaseCode.FAILED));
    }

    @Test
    void aPromptStillPendingAtItsDeadlineIsInterrupted() {
        // the hold itself is released by the ledger's own deadline at the same time (CreditLedgerHoldTest)
        fixture.givenCurrentTime(NOW)
                .andGivenCommands(send("p-1", "c-1", true, "Hello there", null))
                .whenThenTimeElapses(HOLD_TTL)
                .expectDeadlinesMet(new Conversation.PromptExpiry("p-1"))
                .expectEventsMatching(payloadsMatching(exactSequenceOf(predicate(e -> e instanceof PromptFailedEvent f
                        && f.promptId().equals("p-1") && f.userId().equals("u-1")
                        && f.failureCode() == PromptFailureCode.INTERRUPTED), andNoMore())));
    }

    @Test
    void anAnsweredPromptIsLeftAloneAtItsDeadline() {
        fixture.givenCurrentTime(NOW)
                .andGivenCommands(send("p-1", "c-1", true, "Hello there", null), complete("p-1"))
                .whenThenTimeElapses(HOLD_TTL)
                .expectDeadlinesMet(new Conversation.PromptExpiry("p-1"))
                .expectNoEvents();
        assertThat(ledger.commands).hasSize(2).last().isEqualTo(new CaptureCreditsCommand(LEDGER, "p-1", 42));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static SendPromptCommand send(String promptId, String conversationId, boolean starts, String content,
                                          String parentId) {
        return new SendPromptCommand(promptId, conversationId, starts, "u-1", content, parentId, null, 0);
    }

    private static CompletePromptCommand complete(String promptId) {
        return new CompletePromptCommand("c-1", "u-1", promptId, "Hi!", MODEL, "stop", usage());
    }

    private static TokenUsage usage() {
        return new TokenUsage(10, 0, 3, 42, "2026-01", false);
    }

    private static ConversationStartedEvent started() {
        return new ConversationStartedEvent("c-1", "u-1", "Hello there", NOW);
    }

    private static PromptSubmittedEvent submitted(String promptId, String parentId, String content, long held) {
        return new PromptSubmittedEvent("c-1", "u-1", promptId, Conversation.messageId(promptId, "user"), parentId,
                content, MODEL, 100, held, NOW);
    }

    private static AnswerRecordedEvent answered(String promptId) {
        return new AnswerRecordedEvent("c-1", "u-1", promptId, Conversation.messageId(promptId, "assistant"),
                Conversation.messageId(promptId, "user"), "Hi!", MODEL, MODEL, "stop", usage(), NOW);
    }

    private static long maxCost(List<ChatMessage> context, int maxTokens) {
        return Pricing.maxCost(TokenEstimator.estimatePromptTokens(context), maxTokens, PRICE);
    }

    /** The model port as the domain sees it: one priced model, a queue that can be full, the runs handed over. */
    static final class TestRuntime implements ModelRuntime {
        final List<PromptRun> runs = new ArrayList<>();
        OptionalInt retryAfter = OptionalInt.empty();

        @Override
        public Optional<ModelPrice> price(String modelId) {
            return MODEL.equals(modelId) ? Optional.of(PRICE) : Optional.empty();
        }

        @Override
        public String defaultModelId() {
            return MODEL;
        }

        @Override
        public OptionalInt retryAfterIfFull() {
            return retryAfter;
        }

        @Override
        public void runAfterCommit(PromptRun run) {
            runs.add(run);
        }
    }

    /** Stands in for the ledger's answers to the nested commands and keeps what it was asked. */
    static final class TestLedger {
        final List<Object> commands = new ArrayList<>();
        long available = 1_000_000;

        CreditHold hold(HoldCreditsCommand command) {
            if (command.amount() > available) {
                throw new DomainException(new DomainError(ErrorCode.INSUFFICIENT_CREDITS, null, "not enough credits",
                        Map.of("available", available, "required", command.amount())));
            }
            commands.add(command);
            return new CreditHold(command.holdId(), command.amount(), command.purposeId(), true);
        }

        Object record(Object command) {
            commands.add(command);
            return null;
        }
    }
}
