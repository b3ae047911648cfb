package net.kimik2.app.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import net.kimik2.testsupport.platform.EmbeddedPostgresServer;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The {@code postgres} profile against a real PostgreSQL 14 (embedded, its own processes): the context starts, the
 * events database and the key vault's database (apart, as in production) hold every table, each made by its own
 * Flyway instance and history table (ADR 0024).
 */
class PostgresProfileTest {

    @TempDir
    Path dir;

    @Test
    void flywayMakesTheEventsAndVaultDatabasesOnPostgres() throws Exception {
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("pg"))) {
            postgres.createDatabase("kimi_events").createDatabase("kimi_vault");
            Map<String, Object> settings = new HashMap<>(postgres.serviceEnvironment("kimi_events", "kimi_vault"));
            settings.remove("SPRING_PROFILES_ACTIVE");
            settings.put("kimi.data-dir", dir.resolve("data").toString());
            settings.put("kimi.vault.url", settings.get("KIMI_VAULT_URL"));
            settings.put("kimi.vault.username", settings.get("KIMI_VAULT_USERNAME"));
            settings.put("kimi.vault.password", settings.get("KIMI_VAULT_PASSWORD"));
            try (ConfigurableApplicationContext context = ProfileContexts.start("postgres", settings)) {
                assertThat(context.getBean(EventStorageEngine.class)).isInstanceOf(JdbcEventStorageEngine.class);
                DataSource events = context.getBean(DataSource.class);
                assertThat(events.getConnection().getMetaData().getURL()).contains("/kimi_events");
                assertThat(ProfileContexts.tables(events)).containsAll(ProfileContexts.EVENT_TABLES)
                        .doesNotContainAnyElementsOf(ProfileContexts.VAULT_TABLES);
                assertThat(ProfileContexts.versions(events, "flyway_schema_history")).containsExactly("1", "2", "3");

                DataSource vault = new DriverManagerDataSource(postgres.jdbcUrl("kimi_vault"),
                        EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD);
                assertThat(ProfileContexts.tables(vault)).containsExactlyInAnyOrderElementsOf(ProfileContexts.VAULT_TABLES);
                assertThat(ProfileContexts.versions(vault, "vault_schema_history")).containsExactly("1");
            }
        }
    }
}
