package net.kimik2.app.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.axonframework.axonserver.connector.event.axon.AxonServerEventStore;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.modelling.command.AggregateScopeDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The {@code axonserver} profile wired as deployed, without an Axon Server (none runs in the test): the connector
 * points at a port where nothing listens, and the context must still start. Axon Server is the event store; tokens,
 * db-scheduler's deadlines and the command-side tables are on the JDBC database, whose tables Flyway made (before
 * ADR 0024, {@code scheduled_tasks} came with the JDBC event engine this profile leaves out, so every credit hold
 * failed). Not covered: anything that needs a live Axon Server (commands, events, queries through it).
 */
class AxonServerProfileTest {

    @TempDir
    Path dir;

    @Test
    void startsWithoutAnAxonServerAndKeepsTokensDeadlinesAndTablesOnJdbc() throws Exception {
        // before ADR 0024 the pooled Stripe processor failed the start here (it asked the absent server for a token)
        try (ConfigurableApplicationContext context = ProfileContexts.start("axonserver", Map.of(
                "kimi.data-dir", dir.toString(),
                "axon.axonserver.servers", "127.0.0.1:" + ServiceProcess.freePort()))) {
            assertThat(context.getBean(EventStore.class)).isInstanceOf(AxonServerEventStore.class);
            assertThat(context.getBeansOfType(EventStorageEngine.class)).isEmpty();
            assertThat(context.getBean(TokenStore.class)).isInstanceOf(JdbcTokenStore.class);
            DeadlineManager deadlines = context.getBean(DeadlineManager.class);
            assertThat(deadlines).isInstanceOf(DbSchedulerDeadlineManager.class);

            DataSource events = context.getBean(DataSource.class);
            assertThat(ProfileContexts.tables(events)).containsAll(ProfileContexts.EVENT_TABLES);
            assertThat(ProfileContexts.versions(events, "flyway_schema_history")).containsExactly("1", "2", "3");

            // what a credit hold does: a persistent deadline, a row in scheduled_tasks
            String id = deadlines.schedule(Duration.ofHours(1), "probe-expiry", null,
                    new AggregateScopeDescriptor("Probe", "probe-1"));
            assertThat(new JdbcTemplate(events).queryForObject(
                    "SELECT COUNT(*) FROM scheduled_tasks WHERE task_instance LIKE ?", Integer.class, "%" + id + "%"))
                    .isEqualTo(1);
        }
    }
}
