package net.kimik2.app.platform;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import net.kimik2.app.KimiBackendApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** Starts the whole application in this JVM on a profile, and reads what its databases hold. */
final class ProfileContexts {

    /** Every table of the events database (ADR 0024: all of them by Flyway). */
    static final List<String> EVENT_TABLES = List.of("domainevententry", "snapshotevententry", "tokenentry",
            "deadletterentry", "scheduled_tasks", "account_lookup", "account_session", "account_role",
            "account_policy", "account_choices", "account_device", "api_key", "api_key_prompt", "prompt_in_flight",
            "retention_billing", "retention_schedule", "retention_run", "legal_hold", "retention_conversation",
            "data_export", "retention_device", "notice_outbox", "policy_announcement", "service_node", "flyway_schema_history");
    static final List<String> VAULT_TABLES = List.of("platform_secret", "scope_key", "vault_schema_history");

    static {
        // as the application's main does: Axon does not phone home
        System.setProperty("axoniq.update-checker.disabled", "true");
    }

    private ProfileContexts() {
    }

    static ConfigurableApplicationContext start(String profile, Map<String, Object> settings) {
        Map<String, Object> properties = new HashMap<>(settings);
        properties.put("server.port", "0");
        properties.put("kimi.kek", newKek());
        // as command-line arguments: they win over application.yml (builder properties are only defaults)
        return new SpringApplicationBuilder(KimiBackendApplication.class)
                .profiles(profile)
                .run(properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                        .toArray(String[]::new));
    }

    /** Table names (lower case) of the connection's current schema. */
    static Set<String> tables(DataSource db) throws SQLException {
        Set<String> names = new TreeSet<>();
        try (Connection c = db.getConnection();
             ResultSet rs = c.getMetaData().getTables(null, c.getSchema(), "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                names.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    /** Versions Flyway applied, in order (marker rows without a version left out). */
    static List<String> versions(DataSource db, String historyTable) {
        return new JdbcTemplate(db).queryForList("SELECT \"version\" FROM \"" + historyTable
                + "\" WHERE \"version\" IS NOT NULL AND \"success\" ORDER BY \"installed_rank\"", String.class);
    }

    private static String newKek() {
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        return Base64.getEncoder().encodeToString(kek);
    }
}
