package net.kimik2.axon.platform;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.GenericTokenTableFactory;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.PostgresTokenTableFactory;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenTableFactory;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.EventTableFactory;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.axonframework.serialization.Serializer;
import org.axonframework.springboot.TokenStoreProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Axon's JDBC event storage engine and token store (embedded H2 file by default, PostgreSQL with the
 * {@code postgres} profile), with the fixes measured in the spike: H2 identity DDL, lowest global sequence 1, and a
 * duplicate-key resolver that finds H2's batch errors. Not active with the {@code axonserver} profile, where Axon
 * Server is the event store.
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
public class EventStoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EventStoreConfiguration.class);

    @Bean
    PersistenceExceptionResolver persistenceExceptionResolver() {
        return new DuplicateKeyResolver();
    }

    @Bean
    @ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "false", matchIfMissing = true)
    EventStorageEngine eventStorageEngine(Serializer defaultSerializer,
                                          PersistenceExceptionResolver persistenceExceptionResolver,
                                          @Qualifier("eventSerializer") Serializer eventSerializer,
                                          Configuration configuration,
                                          ConnectionProvider connectionProvider,
                                          TransactionManager transactionManager,
                                          DataSource dataSource) throws SQLException {
        JdbcEventStorageEngine engine = JdbcEventStorageEngine.builder()
                .snapshotSerializer(defaultSerializer)
                .upcasterChain(configuration.upcasterChain())
                .persistenceExceptionResolver(persistenceExceptionResolver)
                .eventSerializer(eventSerializer)
                .snapshotFilter(configuration.snapshotFilter())
                .connectionProvider(connectionProvider)
                .transactionManager(transactionManager)
                .lowestGlobalSequence(1)
                .batchSize(1000)
                .build();
        engine.createSchema(eventTableFactory(dataSource));
        createDeadlineTable(dataSource);
        return engine;
    }

    /**
     * db-scheduler's table, which keeps Axon's deadlines (hold and prompt expiry) durable in the event store's
     * database; db-scheduler does not create it. Its scheduler starts only once the context is ready.
     */
    private static void createDeadlineTable(DataSource dataSource) throws SQLException {
        boolean postgres = isPostgres(dataSource);
        String time = postgres ? "timestamp with time zone" : "timestamp(6) with time zone";
        String ddl = "create table if not exists scheduled_tasks ("
                + "task_name varchar(100) not null, task_instance varchar(100) not null, "
                + "task_data " + (postgres ? "bytea" : "blob") + ", execution_time " + time + " not null, "
                + "picked boolean not null, picked_by varchar(50), last_success " + time + ", "
                + "last_failure " + time + ", consecutive_failures int, last_heartbeat " + time + ", "
                + "version bigint not null, priority smallint, primary key (task_name, task_instance))";
        try (Connection c = dataSource.getConnection(); var statement = c.createStatement()) {
            statement.execute(ddl);
            statement.execute("create index if not exists scheduled_tasks_execution_time_idx "
                    + "on scheduled_tasks (execution_time)");
        }
    }

    @Bean
    TokenStore tokenStore(ConnectionProvider connectionProvider, Serializer serializer,
                          TokenStoreProperties properties, TransactionManager transactionManager,
                          DataSource dataSource) throws SQLException {
        JdbcTokenStore store = JdbcTokenStore.builder()
                .connectionProvider(connectionProvider)
                .serializer(serializer)
                .claimTimeout(properties.getClaimTimeout())
                .build();
        TokenTableFactory factory = isPostgres(dataSource) ? PostgresTokenTableFactory.INSTANCE
                : GenericTokenTableFactory.INSTANCE;
        transactionManager.executeInTransaction(() -> store.createSchema(factory));
        return store;
    }

    private static EventTableFactory eventTableFactory(DataSource dataSource) throws SQLException {
        if (isPostgres(dataSource)) {
            log.info("event store: JDBC engine on PostgreSQL");
            return PostgresEventTableFactory.INSTANCE;
        }
        log.info("event store: JDBC engine on embedded H2");
        return H2EventTableFactory.INSTANCE;
    }

    static boolean isPostgres(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
        }
    }
}
