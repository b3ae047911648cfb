package net.kimik2.command.conversations;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.kimik2.api.conversations.AnswerRecordedEvent;
import net.kimik2.api.conversations.FailPromptCommand;
import net.kimik2.api.conversations.PromptFailedEvent;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import net.kimik2.api.conversations.TokenUsage;
import net.kimik2.command.testsupport.H2;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.GenericEventMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** Prompts left running by a previous run are failed as INTERRUPTED at start; finished and new ones are not. */
class InterruptedPromptsTest {

    private static final Instant BEFORE_START = Instant.parse("2020-01-01T00:00:00Z");
    private final List<FailPromptCommand> failed = new CopyOnWriteArrayList<>();
    private AnnotationEventHandlerAdapter events;
    private InterruptedPrompts prompts;

    @BeforeEach
    void setUp() {
        SimpleCommandBus bus = SimpleCommandBus.builder().build();
        bus.subscribe(FailPromptCommand.class.getName(), message -> {
            failed.add((FailPromptCommand) message.getPayload());
            return true;
        });
        prompts = new InterruptedPrompts(new JdbcTemplate(H2.newDatabase()),
                DefaultCommandGateway.builder().commandBus(bus).build(), true);
        events = new AnnotationEventHandlerAdapter(prompts);
    }

    private void publish(Object event) throws Exception {
        events.handle(GenericEventMessage.asEventMessage(event));
    }

    private static PromptSubmittedEvent submitted(String promptId, Instant at) {
        return new PromptSubmittedEvent("c-" + promptId, "u-1", promptId, "m-" + promptId, null, "hi", "m", 64, 10, at);
    }

    @Test
    void onlyPromptsAcceptedBeforeThisStartAndStillRunningAreFailed() throws Exception {
        publish(submitted("cut", BEFORE_START));
        publish(submitted("answered", BEFORE_START));
        publish(new AnswerRecordedEvent("c-answered", "u-1", "answered", "a", "m-answered", "x", "m", "m", "stop",
                new TokenUsage(1, 0, 1, 1, "v", false), BEFORE_START));
        publish(submitted("failed", BEFORE_START));
        publish(new PromptFailedEvent("c-failed", "u-1", "failed", PromptFailureCode.TIMEOUT, BEFORE_START));
        publish(submitted("running-now", Instant.now().plusSeconds(5)));

        prompts.failInterrupted();

        assertThat(failed).containsExactly(
                new FailPromptCommand("c-cut", "u-1", "cut", PromptFailureCode.INTERRUPTED));
    }

    @Test
    void nothingIsFailedWhenSwitchedOff() throws Exception {
        SimpleCommandBus bus = SimpleCommandBus.builder().build();
        InterruptedPrompts off = new InterruptedPrompts(new JdbcTemplate(H2.newDatabase()),
                DefaultCommandGateway.builder().commandBus(bus).build(), false);
        new AnnotationEventHandlerAdapter(off).handle(GenericEventMessage.asEventMessage(submitted("cut", BEFORE_START)));
        off.failInterrupted(); // no handler subscribed: sending would throw
    }

    @Test
    void aNodeFailsOnlyThePromptsOfNodesWhoseLeaseExpired() throws Exception {
        SimpleCommandBus bus = SimpleCommandBus.builder().build();
        List<FailPromptCommand> cut = new CopyOnWriteArrayList<>();
        bus.subscribe(FailPromptCommand.class.getName(), message -> {
            cut.add((FailPromptCommand) message.getPayload());
            return true;
        });
        var db = new JdbcTemplate(H2.newDatabase());
        var gateway = DefaultCommandGateway.builder().commandBus(bus).build();
        var settings = java.time.Duration.ofSeconds(30);
        InterruptedPrompts live = new InterruptedPrompts(db, gateway, true, new net.kimik2.axon.platform.NodeIdentity(
                "live"), net.kimik2.axon.platform.NodeSignals.NONE, settings, java.time.Duration.ofSeconds(5));
        InterruptedPrompts dead = new InterruptedPrompts(db, gateway, true, new net.kimik2.axon.platform.NodeIdentity(
                "dead"), net.kimik2.axon.platform.NodeSignals.NONE, settings, java.time.Duration.ofSeconds(5));
        InterruptedPrompts survivor = new InterruptedPrompts(db, gateway, true, new net.kimik2.axon.platform
                .NodeIdentity("survivor"), net.kimik2.axon.platform.NodeSignals.NONE, settings,
                java.time.Duration.ofSeconds(5));
        new AnnotationEventHandlerAdapter(live).handle(GenericEventMessage.asEventMessage(
                submitted("on-live", Instant.now())));
        new AnnotationEventHandlerAdapter(dead).handle(GenericEventMessage.asEventMessage(
                submitted("on-dead", Instant.now())));
        // every node holds a lease from its start; the dead one stopped renewing it 31 s ago
        db.update("UPDATE service_node SET heartbeat_at = ? WHERE node_id = 'dead'", System.currentTimeMillis() - 31_000);

        survivor.failOrphans();

        assertThat(cut).containsExactly(new FailPromptCommand("c-on-dead", "u-1", "on-dead",
                PromptFailureCode.INTERRUPTED));
    }
}
