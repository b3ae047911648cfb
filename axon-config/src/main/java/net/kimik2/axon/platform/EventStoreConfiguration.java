package net.kimik2.axon.platform;

import javax.sql.DataSource;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.axonframework.springboot.TokenStoreProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;

/**
 * Axon's JDBC event storage engine and token store (embedded H2 file by default, PostgreSQL with the
 * {@code postgres} profile), with the fixes measured in the spike: H2 identity DDL (in the Flyway script), lowest
 * global sequence 1, and a duplicate-key resolver that finds H2's batch errors. The engine is not active with the
 * {@code axonserver} profile, where Axon Server is the event store; the token store and the schema are.
 */
@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
public class EventStoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EventStoreConfiguration.class);

    @Bean
    PersistenceExceptionResolver persistenceExceptionResolver() {
        return new DuplicateKeyResolver();
    }

    @Bean
    @DependsOnDatabaseInitialization
    @ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "false", matchIfMissing = true)
    EventStorageEngine eventStorageEngine(Serializer defaultSerializer,
                                          PersistenceExceptionResolver persistenceExceptionResolver,
                                          @Qualifier("eventSerializer") Serializer eventSerializer,
                                          Configuration configuration,
                                          ConnectionProvider connectionProvider,
                                          TransactionManager transactionManager,
                                          DataSource dataSource) {
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
        log.info("event store: JDBC engine on {}", SchemaMigrations.vendor(dataSource));
        return engine;
    }

    /**
     * The events database's schema, by Spring Boot's Flyway (ADR 0024): Axon's tables, db-scheduler's table of the
     * deadlines and the command side's tables, whatever the event store is (the {@code axonserver} profile keeps
     * tokens, deadlines and command-side tables here too). Locations follow the database's vendor.
     */
    @Bean
    FlywayConfigurationCustomizer eventsSchemaLocations() {
        return configuration -> SchemaMigrations.configure(configuration, SchemaMigrations.EVENTS);
    }

    @Bean
    @DependsOnDatabaseInitialization
    TokenStore tokenStore(ConnectionProvider connectionProvider, Serializer serializer,
                          TokenStoreProperties properties) {
        return JdbcTokenStore.builder()
                .connectionProvider(connectionProvider)
                .serializer(serializer)
                .claimTimeout(properties.getClaimTimeout())
                .build();
    }
}
