package net.kimik2.command.testsupport;

import java.util.UUID;
import javax.sql.DataSource;
import net.kimik2.axon.platform.SchemaMigrations;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A private in-memory H2 database per call (H2 is the embedded production store of the command side), with the
 * events database's schema applied by the production Flyway scripts (ADR 0024): Axon's tables and every
 * command-side table.
 */
public final class H2 {

    private H2() {
    }

    public static DataSource newDatabase() {
        DataSource db = new DriverManagerDataSource("jdbc:h2:mem:test-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        SchemaMigrations.migrateEvents(db);
        return db;
    }
}
