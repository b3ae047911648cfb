package net.kimik2.axon.platform;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Flyway settings shared by the two JDBC databases (ADR 0024): the events database (Axon's tables, db-scheduler's,
 * the command side's; run by Spring Boot's Flyway through {@link EventStoreConfiguration}) and the key vault (its
 * own instance and history table, run by the vault itself). Scripts whose DDL differs per database live in a folder
 * named after the vendor ({@code h2}, {@code postgresql}); portable ones in {@code common}. Databases made by the
 * hand-run DDL of earlier versions have tables but no history: they are baselined at version 0, and every V1 is
 * written with IF NOT EXISTS so it then finds what is already there.
 */
public final class SchemaMigrations {

    /** The events database: vendor scripts (Axon, db-scheduler) and portable ones (command-side tables). */
    public static final String[] EVENTS = {"db/migration/common", "db/migration/{vendor}"};

    private SchemaMigrations() {
    }

    /** Applies the shared settings to a configuration whose data source is set. */
    public static FluentConfiguration configure(FluentConfiguration configuration, String... locations) {
        String vendor = vendor(configuration.getDataSource());
        return configuration
                .locations(Arrays.stream(locations).map(l -> "classpath:" + l.replace("{vendor}", vendor))
                        .toArray(String[]::new))
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .baselineDescription("tables made by the hand-run DDL before Flyway");
    }

    /** Migrates the events database (tests and tools that run without Spring Boot's Flyway). */
    public static void migrateEvents(DataSource dataSource) {
        configure(Flyway.configure().dataSource(dataSource), EVENTS).load().migrate();
    }

    /** {@code postgresql} or {@code h2}, the folder names; any other database is refused. */
    public static String vendor(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            if (product.contains("postgres")) {
                return "postgresql";
            }
            if (product.contains("h2")) {
                return "h2";
            }
            throw new IllegalStateException("unsupported database " + product + ": H2 or PostgreSQL only");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the database to migrate it", e);
        }
    }
}
