package net.kimik2.command.conversations;

import java.lang.management.ManagementFactory;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jakarta.annotation.PreDestroy;
import net.kimik2.api.conversations.AnswerRecordedEvent;
import net.kimik2.api.conversations.FailPromptCommand;
import net.kimik2.api.conversations.PromptFailedEvent;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import net.kimik2.api.platform.MetadataKeys;
import net.kimik2.axon.platform.NodeIdentity;
import net.kimik2.axon.platform.NodeSignals;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.MetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Prompts whose model call is running, as a command-side table kept in the events' own transaction (subscribing
 * processor), each row naming the node that runs the call. A model call lives in the memory of that node, so a row
 * whose node is gone was cut by a crash: it is failed as {@code INTERRUPTED}, which releases its hold, records the
 * failed answer and lets {@code promptStream} end with that final chunk, instead of leaving it pending until its
 * deadline (issue 14). The deadline stays as the backstop.
 *
 * <p>Which node is gone (ADR 0025): at start, a node fails its own rows left from before (a stable
 * {@code KIMI_NODE_ID}); every node renews a lease in {@code service_node} and, on the same schedule, fails the rows
 * of nodes whose lease expired (a killed node with a one-off id). A live node's prompts are never touched.
 */
@Component
@ProcessingGroup("conversations-in-flight")
class InterruptedPrompts {

    private static final Logger log = LoggerFactory.getLogger(InterruptedPrompts.class);

    private final JdbcTemplate jdbc;
    private final CommandGateway commands;
    private final boolean failAtStart;
    private final String nodeId;
    private final Duration lease;
    private final Duration heartbeat;
    /** False on the embedded default, where no other process can share the store: all old rows are ours. */
    private final boolean shared;
    private ScheduledExecutorService leases;

    @Autowired
    InterruptedPrompts(JdbcTemplate jdbc, CommandGateway commands,
                       @Value("${kimi.prompts.fail-interrupted-at-start:true}") boolean failAtStart,
                       NodeIdentity node, NodeSignals signals,
                       @Value("${kimi.nodes.lease:PT30S}") Duration lease,
                       @Value("${kimi.nodes.heartbeat:PT5S}") Duration heartbeat) {
        this.jdbc = jdbc;
        this.commands = commands;
        this.failAtStart = failAtStart;
        this.nodeId = node.id();
        this.lease = lease;
        this.heartbeat = heartbeat;
        this.shared = signals.distributed();
        renewLease(); // before this node can accept a prompt, so no other node takes its rows for orphans
    }

    InterruptedPrompts(JdbcTemplate jdbc, CommandGateway commands, boolean failAtStart) {
        this(jdbc, commands, failAtStart, new NodeIdentity("test-node"), NodeSignals.NONE, Duration.ofSeconds(30), Duration.ofSeconds(5));
    }

    @EventHandler
    void on(PromptSubmittedEvent event) {
        if (jdbc.update("UPDATE prompt_in_flight SET accepted_at = accepted_at WHERE prompt_id = ?",
                event.promptId()) == 0) {
            jdbc.update("INSERT INTO prompt_in_flight (prompt_id, conversation_id, user_id, accepted_at, node_id) "
                    + "VALUES (?, ?, ?, ?, ?)", event.promptId(), event.conversationId(), event.userId(),
                    Timestamp.from(event.submittedAt()), nodeId);
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

    /** Fails the prompts that a previous run of this node accepted and never finished; then keeps the lease. */
    @EventListener(ApplicationReadyEvent.class)
    void failInterrupted() {
        renewLease(); // also with recovery off: the other nodes must see this node alive
        startLeaseRounds();
        if (!failAtStart) {
            return;
        }
        Instant started = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        int cut = fail(jdbc.query("SELECT conversation_id, user_id, prompt_id FROM prompt_in_flight "
                        + "WHERE accepted_at < ? AND (node_id = ? OR node_id IS NULL OR ?)", this::row,
                Timestamp.from(started), nodeId, !shared));
        if (cut > 0) {
            log.info("{} prompt(s) cut by the previous stop ended as INTERRUPTED; their holds are released", cut);
        }
    }

    private void startLeaseRounds() {
        leases = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-lease");
            t.setDaemon(true);
            return t;
        });
        leases.scheduleWithFixedDelay(this::leaseRound, heartbeat.toMillis(), heartbeat.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void leaseRound() {
        try {
            renewLease();
            if (failAtStart) {
                failOrphans();
            }
        } catch (RuntimeException e) {
            log.warn("node lease round failed ({}); trying again", e.getClass().getSimpleName());
        }
    }

    private void renewLease() {
        long now = System.currentTimeMillis();
        if (jdbc.update("UPDATE service_node SET heartbeat_at = ? WHERE node_id = ?", now, nodeId) == 0) {
            jdbc.update("INSERT INTO service_node (node_id, heartbeat_at) VALUES (?, ?)", nodeId, now);
        }
    }

    /** Rows of nodes whose lease expired (or that never held one): their calls died with them. */
    void failOrphans() {
        long expired = System.currentTimeMillis() - lease.toMillis();
        int cut = fail(jdbc.query("SELECT p.conversation_id, p.user_id, p.prompt_id FROM prompt_in_flight p "
                        + "LEFT JOIN service_node n ON n.node_id = p.node_id "
                        + "WHERE p.node_id <> ? AND (n.node_id IS NULL OR n.heartbeat_at < ?)", this::row,
                nodeId, expired));
        if (cut > 0) {
            log.info("{} prompt(s) of a node whose lease expired ended as INTERRUPTED", cut);
        }
        jdbc.update("DELETE FROM service_node WHERE heartbeat_at < ? AND node_id NOT IN "
                + "(SELECT node_id FROM prompt_in_flight WHERE node_id IS NOT NULL)", expired);
    }

    private FailPromptCommand row(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
        return new FailPromptCommand(rs.getString(1), rs.getString(2), rs.getString(3), PromptFailureCode.INTERRUPTED);
    }

    private int fail(List<FailPromptCommand> cut) {
        for (FailPromptCommand command : cut) {
            try {
                commands.sendAndWait(GenericCommandMessage.asCommandMessage(command)
                        .withMetaData(MetaData.with(MetadataKeys.ACTOR_ID, MetadataKeys.SYSTEM_ACTOR)));
            } catch (RuntimeException e) {
                // e.g. the conversation was erased meanwhile, or another node failed it first: the deadline and
                // the hold's expiry still end it
                log.warn("could not fail interrupted prompt {}: {}", command.promptId(), e.getClass().getSimpleName());
                jdbc.update("DELETE FROM prompt_in_flight WHERE prompt_id = ?", command.promptId());
            }
        }
        return cut.size();
    }

    @PreDestroy
    void stop() {
        if (leases != null) {
            leases.shutdownNow();
        }
    }
}
