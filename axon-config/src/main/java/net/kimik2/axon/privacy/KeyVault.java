package net.kimik2.axon.privacy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.springframework.beans.factory.DisposableBean;

/**
 * The key vault: keys stored only wrapped by the KEK, in a database of its own (by default a separate embedded H2
 * file), so that a backup of the event store or of the views never holds a key. Every write commits before it
 * returns: keys are not rebuildable.
 */
public class KeyVault implements DisposableBean {

    private final HikariDataSource dataSource;
    private final KeyEncryptionService kes;
    private final SecureRandom random = new SecureRandom();

    public KeyVault(String jdbcUrl, String username, String password, KeyEncryptionService kes) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        if (username != null && !username.isBlank()) {
            config.setUsername(username);
            config.setPassword(password);
        }
        config.setPoolName("key-vault");
        config.setMaximumPoolSize(4);
        this.dataSource = new HikariDataSource(config);
        this.kes = kes;
        createSchema();
    }

    private void createSchema() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS platform_secret (name VARCHAR(64) PRIMARY KEY, "
                    + "kek_id VARCHAR(32) NOT NULL, sealed VARBINARY(512) NOT NULL)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot initialise the key vault", e);
        }
    }

    /** A random 256-bit service secret (lookup HMAC key, token signing key), created on first use. */
    public byte[] platformSecret(String name) {
        return loadSecret(name).orElseGet(() -> {
            byte[] secret = new byte[32];
            random.nextBytes(secret);
            var wrapped = kes.wrap(secret, "platform:" + name);
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement(
                         "INSERT INTO platform_secret (name, kek_id, sealed) VALUES (?, ?, ?)")) {
                ps.setString(1, name);
                ps.setString(2, wrapped.kekId());
                ps.setBytes(3, wrapped.sealed());
                ps.executeUpdate();
                return secret;
            } catch (SQLException e) {
                // another node created it first: use theirs
                return loadSecret(name).orElseThrow(() -> new IllegalStateException("cannot store secret " + name, e));
            }
        });
    }

    private Optional<byte[]> loadSecret(String name) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT kek_id, sealed FROM platform_secret WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                var wrapped = new KeyEncryptionService.WrappedKey(rs.getString(1), rs.getBytes(2));
                return Optional.of(kes.unwrap(wrapped, "platform:" + name));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the key vault", e);
        }
    }

    /** True when the vault's database answers within two seconds. */
    public boolean isUsable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void destroy() {
        dataSource.close();
    }
}
