package net.kimik2.command.accounts;

import java.time.Duration;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import net.kimik2.api.accounts.RegisterAccountCommand;
import net.kimik2.api.accounts.Role;
import net.kimik2.command.testsupport.H2;
import org.springframework.jdbc.core.JdbcTemplate;

/** Real collaborators of the account aggregate, wired as the application wires them but on a private H2 database. */
final class AccountTestSupport {

    static final String POLICY = "2025-06";
    static final Duration SESSION_TTL = Duration.ofHours(12);
    static final String PASSWORD = "correct horse battery";
    // Argon2 setup costs a hash (the decoy); share one instance across tests.
    static final PasswordHasher HASHER = new PasswordHasher();
    static final PolicySettings SETTINGS = new PolicySettings(POLICY, SESSION_TTL);

    final DataSource dataSource = H2.newDatabase();
    final JdbcTemplate jdbc = new JdbcTemplate(dataSource);
    final SecretKey key = new SecretKeySpec("0123456789abcdef0123456789abcdef".getBytes(), "HmacSHA256");
    final AccountLookup lookup = new AccountLookup(jdbc, key);

    static RegisterAccountCommand register(String userId, String email, String username) {
        return new RegisterAccountCommand(userId, "Alice Liddell", email, username, PASSWORD, POLICY, null);
    }

    static RegisterAccountCommand register(String userId, String name, String email, String username, String password,
                                           String policy, Role role) {
        return new RegisterAccountCommand(userId, name, email, username, password, policy, role);
    }
}
