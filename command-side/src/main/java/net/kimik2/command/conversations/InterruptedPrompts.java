package net.kimik2.command.conversations;

import java.lang.management.ManagementFactory;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import net.kimik2.api.conversations.AnswerRecordedEvent;
import net.kimik2.api.conversations.FailPromptCommand;
import net.kimik2.api.conversations.PromptFailedEvent;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import net.kimik2.api.platform.MetadataKeys;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.MetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Prompts whose model call is running, as a command-side table kept in the events' own transaction (subscribing
 * processor). A model call lives in the memory of the process that accepted it, so a prompt still in the table when
 * the service starts was cut by a crash: it is failed at once as {@code INTERRUPTED}, which releases its hold,
 * records the failed answer and lets {@code promptStream} end with that final chunk, instead of leaving it pending
 * until its deadline (issue 14). The deadline stays as the backstop. This assumes one service process per event
 * store (the embedded default); with several, set {@code kimi.prompts.fail-interrupted-at-start=false} and the
 * deadline alone ends them.
 */
@Component
@ProcessingGroup("conversations-in-flight")
class InterruptedPrompts {

    private static final Logger log = LoggerFactory.getLogger(InterruptedPrompts.class);

    private final JdbcTemplate jdbc;
    private final CommandGateway commands;
    private final boolean failAtStart;

    InterruptedPrompts(JdbcTemplate jdbc, CommandGateway commands,
                       @Value("${kimi.prompts.fail-interrupted-at-start:true}") boolean failAtStart) {
        this.jdbc = jdbc;
        this.commands = commands;
        this.failAtStart = failAtStart;
    }

    @EventHandler
    void on(PromptSubmittedEvent event) {
        if (jdbc.update("UPDATE prompt_in_flight SET accepted_at = accepted_at WHERE prompt_id = ?",
                event.promptId()) == 0) {
            jdbc.update("INSERT INTO prompt_in_flight (prompt_id, conversation_id, user_id, accepted_at) "
                    + "VALUES (?, ?, ?, ?)", event.promptId(), event.conversationId(), event.userId(),
                    Timestamp.from(event.submittedAt()));
        }
    }

    @EventHandler
    void on(AnswerRecordedEvent event) {
        jdbc.update("DELETE FROM prompt_in_flight WHERE prompt_id = ?", event.promptId());
    }

    @EventHandler
    void on(PromptFailedEvent event) {
        jdbc.update("DELETE FROM prompt_in_flight WHERE prompt_id = ?", event.promptId());
    }

    /** Fails the prompts that a previous run of the service accepted and never finished. */
    @EventListener(ApplicationReadyEvent.class)
    void failInterrupted() {
        if (!failAtStart) {
            return;
        }
        Instant started = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        List<FailPromptCommand> cut = jdbc.query("SELECT conversation_id, user_id, prompt_id FROM prompt_in_flight "
                        + "WHERE accepted_at < ?",
                (rs, i) -> new FailPromptCommand(rs.getString(1), rs.getString(2), rs.getString(3),
                        PromptFailureCode.INTERRUPTED), Timestamp.from(started));
        for (FailPromptCommand command : cut) {
            try {
                commands.sendAndWait(GenericCommandMessage.asCommandMessage(command)
                        .withMetaData(MetaData.with(MetadataKeys.ACTOR_ID, MetadataKeys.SYSTEM_ACTOR)));
            } catch (RuntimeException e) {
                // e.g. the conversation was erased meanwhile: the deadline and the hold's expiry still end it
                log.warn("could not fail interrupted prompt {}: {}", command.promptId(), e.getClass().getSimpleName());
                jdbc.update("DELETE FROM prompt_in_flight WHERE prompt_id = ?", command.promptId());
            }
        }
        if (!cut.isEmpty()) {
            log.info("{} prompt(s) cut by the previous stop ended as INTERRUPTED; their holds are released", cut.size());
        }
    }
}
