package net.kimik2.axon.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import javax.sql.DataSource;
import net.kimik2.testsupport.platform.EmbeddedPostgresServer;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.deadletter.jdbc.DeadLetterSchema;
import org.axonframework.eventhandling.deadletter.jdbc.GenericDeadLetterTableFactory;
import org.axonframework.eventhandling.deadletter.jdbc.JdbcSequencedDeadLetterQueue;
import org.axonframework.eventhandling.tokenstore.jdbc.GenericTokenTableFactory;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.PostgresTokenTableFactory;
import org.axonframework.eventsourcing.eventstore.jdbc.EventTableFactory;
import org.axonframework.eventsourcing.eventstore.jdbc.HsqlEventTableFactory;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.axonframework.messaging.deadletter.GenericDeadLetter;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The events database's Flyway scripts (ADR 0024) on both backends: an H2 file as the embedded default keeps it,
 * and a real PostgreSQL 14. Axon's JDBC engine, token store and dead-letter queue work on the migrated schema; the
 * Axon tables are column for column and index for index what Axon's own table factories made before; and a
 * database made by that hand-run DDL (a data directory of the previous version) migrates cleanly and keeps its data.
 */
class EventsSchemaTest {

    private static final List<String> AXON_TABLES =
            List.of("domainevententry", "snapshotevententry", "tokenentry", "deadletterentry", "scheduled_tasks");

    @org.junit.jupiter.api.io.TempDir
    static Path dir;
    private static EmbeddedPostgresServer postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgresServer.start(dir.resolve("pg"));
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void axonStoresReadsTracksAndParksOnTheMigratedSchema(String vendor) throws Exception {
        DataSource db = newDatabase(vendor);
        SchemaMigrations.migrateEvents(db);
        assertThat(SchemaMigrations.vendor(db)).isEqualTo(vendor);
        TransactionManager tx = new SpringTransactionManager(new DataSourceTransactionManager(db));
        JdbcEventStorageEngine engine = engine(db, tx);

        tx.executeInTransaction(() -> engine.appendEvents(event("a", 0), event("a", 1), event("a", 2)));
        tx.executeInTransaction(() -> engine.appendEvents(event("b", 0)));

        assertThat(engine.readEvents("a").asStream().map(DomainEventMessage::getSequenceNumber))
                .containsExactly(0L, 1L, 2L);
        // the identity column starts at the engine's lowest global sequence: no event is skipped
        List<? extends TrackedEventMessage<?>> stream = engine.readEvents(null, false).limit(4).toList();
        assertThat(stream).extracting(m -> m.trackingToken().position().orElseThrow())
                .containsExactly(1L, 2L, 3L, 4L);
        // the unique (aggregate, sequence) constraint and the duplicate-key resolver: a concurrent write is refused
        assertThatThrownBy(() -> tx.executeInTransaction(() -> engine.appendEvents(event("a", 2))))
                .isInstanceOf(ConcurrencyException.class);

        tx.executeInTransaction(() -> engine.storeSnapshot(event("a", 2)));
        assertThat(engine.readSnapshot("a")).get().extracting(DomainEventMessage::getSequenceNumber).isEqualTo(2L);

        JdbcTokenStore tokens = JdbcTokenStore.builder()
                .connectionProvider(new SpringDataSourceConnectionProvider(db))
                .serializer(serializer())
                .nodeId("node-1")
                .build();
        tx.executeInTransaction(() -> {
            tokens.initializeTokenSegments("probe", 2);
            tokens.storeToken(new GlobalSequenceTrackingToken(4), "probe", 1);
        });
        assertThat(tx.fetchInTransaction(() -> tokens.fetchToken("probe", 1)))
                .isEqualTo(new GlobalSequenceTrackingToken(4));
        assertThat(tokens.fetchSegments("probe")).containsExactly(0, 1);

        JdbcSequencedDeadLetterQueue<EventMessage<?>> deadLetters = deadLetterQueue(db, tx);
        deadLetters.enqueue("sequence-1", new GenericDeadLetter<>("sequence-1",
                GenericEventMessage.asEventMessage(Map.of("n", 1)), new IllegalStateException("refused")));
        assertThat(deadLetters.size()).isEqualTo(1);
        assertThat(deadLetters.contains("sequence-1")).isTrue();

        // db-scheduler's row as it writes one (Axon's deadlines)
        JdbcTemplate jdbc = new JdbcTemplate(db);
        jdbc.update("insert into scheduled_tasks (task_name, task_instance, task_data, execution_time, picked, version)"
                + " values (?, ?, ?, ?, false, 1)", "axon-deadline", "hold-1", new byte[] {1, 2},
                Timestamp.from(Instant.parse("2026-01-01T00:00:00Z")));
        assertThat(jdbc.queryForObject("select count(*) from scheduled_tasks", Integer.class)).isEqualTo(1);

        assertThat(versions(db, "flyway_schema_history")).containsExactly("1", "2", "3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void axonTablesAreWhatAxonsFactoriesMade(String vendor) throws Exception {
        DataSource legacy = newDatabase(vendor);
        createLegacySchema(legacy, vendor);
        DataSource migrated = newDatabase(vendor);
        SchemaMigrations.migrateEvents(migrated);

        assertThat(describe(migrated, AXON_TABLES)).isEqualTo(describe(legacy, AXON_TABLES));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aDatabaseOfThePreviousVersionMigratesAndKeepsItsData(String vendor) throws Exception {
        DataSource db = newDatabase(vendor);
        createLegacySchema(db, vendor);
        TransactionManager tx = new SpringTransactionManager(new DataSourceTransactionManager(db));
        tx.executeInTransaction(() -> engine(db, tx).appendEvents(event("old", 0), event("old", 1)));
        JdbcTemplate jdbc = new JdbcTemplate(db);
        // the session table as versions before issue 13 made it: no created_at / last_seen_at yet
        jdbc.execute("CREATE TABLE account_session (session_id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT NULL, "
                + "role VARCHAR(16) NOT NULL, expires_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP)");
        jdbc.update("INSERT INTO account_session (session_id, user_id, role, expires_at) VALUES ('s1', 'u1', 'USER', ?)",
                Timestamp.from(Instant.parse("2030-01-01T00:00:00Z")));

        SchemaMigrations.migrateEvents(db);
        SchemaMigrations.migrateEvents(db); // a restart: nothing left to do

        assertThat(versions(db, "flyway_schema_history")).containsExactly("0", "1", "2", "3");
        assertThat(engine(db, tx).readEvents("old").asStream().count()).isEqualTo(2);
        tx.executeInTransaction(() -> engine(db, tx).appendEvents(event("old", 2)));
        assertThat(jdbc.queryForObject("SELECT user_id FROM account_session WHERE session_id = 's1'", String.class))
                .isEqualTo("u1");
        jdbc.update("UPDATE account_session SET created_at = ?, last_seen_at = ? WHERE session_id = 's1'",
                Timestamp.from(Instant.EPOCH), Timestamp.from(Instant.EPOCH));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM prompt_in_flight", Integer.class)).isZero();
    }

    /** The DDL the previous versions ran at every start: Axon's factories and db-scheduler's table. */
    private static void createLegacySchema(DataSource db, String vendor) throws SQLException {
        boolean pg = vendor.equals("postgresql");
        EventTableFactory events = pg ? PostgresEventTableFactory.INSTANCE : new HsqlEventTableFactory() {
            @Override
            protected String idColumnType() {
                return "BIGINT GENERATED BY DEFAULT AS IDENTITY (START WITH 1 INCREMENT BY 1)";
            }
        };
        TransactionManager tx = new SpringTransactionManager(new DataSourceTransactionManager(db));
        engine(db, tx).createSchema(events);
        JdbcTokenStore tokens = JdbcTokenStore.builder()
                .connectionProvider(new SpringDataSourceConnectionProvider(db)).serializer(serializer()).build();
        tx.executeInTransaction(() -> tokens.createSchema(pg ? PostgresTokenTableFactory.INSTANCE
                : GenericTokenTableFactory.INSTANCE));
        try (Connection c = db.getConnection()) {
            GenericDeadLetterTableFactory deadLetters = pg ? new GenericDeadLetterTableFactory() {
                @Override
                protected String serializedDataType() {
                    return "BYTEA";
                }
            } : new GenericDeadLetterTableFactory();
            deadLetterQueue(db, tx).createSchema(deadLetters);
            String time = pg ? "timestamp with time zone" : "timestamp(6) with time zone";
            try (Statement s = c.createStatement()) {
                s.execute("create table if not exists scheduled_tasks ("
                        + "task_name varchar(100) not null, task_instance varchar(100) not null, "
                        + "task_data " + (pg ? "bytea" : "blob") + ", execution_time " + time + " not null, "
                        + "picked boolean not null, picked_by varchar(50), last_success " + time + ", "
                        + "last_failure " + time + ", consecutive_failures int, last_heartbeat " + time + ", "
                        + "version bigint not null, priority smallint, primary key (task_name, task_instance))");
                s.execute("create index if not exists scheduled_tasks_execution_time_idx "
                        + "on scheduled_tasks (execution_time)");
            }
        }
    }

    /** Columns (type, size, nullability) and indexes (uniqueness, columns) of the tables, names ignored. */
    private static Map<String, Set<String>> describe(DataSource db, List<String> tables) throws SQLException {
        Map<String, Set<String>> shape = new TreeMap<>();
        try (Connection c = db.getConnection()) {
            DatabaseMetaData meta = c.getMetaData();
            for (String table : tables) {
                String stored = meta.storesUpperCaseIdentifiers() ? table.toUpperCase(Locale.ROOT) : table;
                Set<String> facts = new TreeSet<>();
                try (ResultSet rs = meta.getColumns(null, null, stored, null)) {
                    while (rs.next()) {
                        facts.add("column " + rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT) + " "
                                + rs.getString("TYPE_NAME") + "(" + rs.getInt("COLUMN_SIZE") + ") nullable="
                                + rs.getString("IS_NULLABLE") + " auto=" + rs.getString("IS_AUTOINCREMENT"));
                    }
                }
                Map<String, String> indexes = new TreeMap<>();
                try (ResultSet rs = meta.getIndexInfo(null, null, stored, false, false)) {
                    while (rs.next()) {
                        if (rs.getString("COLUMN_NAME") != null) {
                            indexes.merge(rs.getString("INDEX_NAME"), (rs.getBoolean("NON_UNIQUE") ? "index " : "unique ")
                                    + rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT), (a, b) -> a + "," + b);
                        }
                    }
                }
                facts.addAll(indexes.values());
                assertThat(facts).as(table).isNotEmpty();
                shape.put(table, facts);
            }
        }
        return shape;
    }

    /** Applied versions (Flyway's marker rows without a version left out; the baseline is version 0). */
    private static List<String> versions(DataSource db, String historyTable) {
        return new JdbcTemplate(db).queryForList("SELECT \"version\" FROM \"" + historyTable
                + "\" WHERE \"version\" IS NOT NULL AND \"success\" ORDER BY \"installed_rank\"", String.class);
    }

    private static DataSource newDatabase(String vendor) throws SQLException {
        String name = "events_" + UUID.randomUUID().toString().replace("-", "");
        if (vendor.equals("h2")) {
            // a file, as the embedded default keeps it
            return new DriverManagerDataSource("jdbc:h2:file:" + dir.resolve(name) + ";WRITE_DELAY=0", "sa", "");
        }
        postgres.createDatabase(name);
        return new DriverManagerDataSource(postgres.jdbcUrl(name), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.PASSWORD);
    }

    private static JdbcEventStorageEngine engine(DataSource db, TransactionManager tx) {
        return JdbcEventStorageEngine.builder()
                .snapshotSerializer(serializer())
                .eventSerializer(serializer())
                .persistenceExceptionResolver(new DuplicateKeyResolver())
                .connectionProvider(new SpringDataSourceConnectionProvider(db))
                .transactionManager(tx)
                .lowestGlobalSequence(1)
                .build();
    }

    private static JdbcSequencedDeadLetterQueue<EventMessage<?>> deadLetterQueue(DataSource db, TransactionManager tx) {
        return JdbcSequencedDeadLetterQueue.builder()
                .processingGroup("probe")
                .connectionProvider(new SpringDataSourceConnectionProvider(db))
                .transactionManager(tx)
                .genericSerializer(serializer())
                .eventSerializer(serializer())
                .build();
    }

    private static Serializer serializer() {
        return JacksonSerializer.defaultSerializer();
    }

    private static DomainEventMessage<?> event(String aggregateId, long sequence) {
        return new GenericDomainEventMessage<>("Probe", aggregateId, sequence, Map.of("n", sequence));
    }
}
