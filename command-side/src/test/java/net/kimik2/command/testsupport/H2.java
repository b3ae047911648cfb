package net.kimik2.command.testsupport;

import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** A private in-memory H2 database per call (H2 is the embedded production store of the command side). */
public final class H2 {

    private H2() {
    }

    public static DataSource newDatabase() {
        return new DriverManagerDataSource("jdbc:h2:mem:test-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }
}
