package net.kimik2.shredding.privacy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.kimik2.axon.platform.SchemaMigrations;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.DisposableBean;

/**
 * The key vault: keys stored only wrapped by the KEK, in a database of its own (by default a separate embedded H2
 * file), so that a backup of the event store or of the views never holds a key. Every write commits before it
 * returns: keys are not rebuildable.
 */
public class KeyVault implements DisposableBean {

    private final HikariDataSource pool;
    /** The pool, shielded from thread interrupts when it is an embedded H2 file (see InterruptShieldedDataSource). */
    private final javax.sql.DataSource dataSource;
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
        this.pool = new HikariDataSource(config);
        this.dataSource = net.kimik2.axon.platform.InterruptShieldConfiguration.shieldIfEmbeddedH2(pool);
        this.kes = kes;
        migrate();
    }

    /**
     * The vault's schema, by a Flyway instance of its own (ADR 0024): its scripts ({@code db/vault/<vendor>}) and
     * history table ({@code vault_schema_history}) are apart from the events database's, and it runs before the
     * first key is read or written.
     */
    private void migrate() {
        try {
            SchemaMigrations.configure(Flyway.configure().dataSource(dataSource), "db/vault/{vendor}")
                    .table("vault_schema_history")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
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

    public enum State { ACTIVE, FENCED, DESTROYED }

    public record ScopeRow(String scope, String ownerId, State state, KeyEncryptionService.WrappedKey wrapped,
                           String fingerprint, Instant fencedAt, Instant destroyedAt) {
    }

    public Optional<ScopeRow> scopeState(String scope) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT scope, owner_id, state, kek_id, sealed, fingerprint, "
                     + "fenced_at, destroyed_at FROM scope_key WHERE scope = ?")) {
            ps.setString(1, scope);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                byte[] sealed = rs.getBytes(5);
                return Optional.of(new ScopeRow(rs.getString(1), rs.getString(2), State.valueOf(rs.getString(3)),
                        sealed == null ? null : new KeyEncryptionService.WrappedKey(rs.getString(4), sealed),
                        rs.getString(6), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8))));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the key vault", e);
        }
    }

    /** Stores a new key; false when the scope already has a row (a key, or a tombstone). */
    boolean insertKey(String scope, String ownerId, KeyEncryptionService.WrappedKey wrapped, String fingerprint,
                      Instant now) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO scope_key (scope, owner_id, state, kek_id, sealed, "
                     + "fingerprint, created_at) VALUES (?, ?, 'ACTIVE', ?, ?, ?, ?)")) {
            ps.setString(1, scope);
            ps.setString(2, ownerId);
            ps.setString(3, wrapped.kekId());
            ps.setBytes(4, wrapped.sealed());
            ps.setString(5, fingerprint);
            ps.setTimestamp(6, Timestamp.from(now));
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                return false;
            }
            throw new IllegalStateException("cannot store a key in the vault", e);
        }
    }

    /** Marks the scope erased, creating the tombstone if it never had a key; answers the key's fingerprint. */
    String fence(String scope, String ownerId, String requestId, Instant now) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE scope_key SET state = 'FENCED', fenced_at = ?, "
                    + "request_id = ? WHERE scope = ? AND state = 'ACTIVE'")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setString(2, requestId);
                ps.setString(3, scope);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO scope_key (scope, owner_id, state, fingerprint, "
                    + "created_at, fenced_at, request_id) SELECT ?, ?, 'FENCED', 'no-key', ?, ?, ? "
                    + "WHERE NOT EXISTS (SELECT 1 FROM scope_key WHERE scope = ?)")) {
                ps.setString(1, scope);
                ps.setString(2, ownerId);
                ps.setTimestamp(3, Timestamp.from(now));
                ps.setTimestamp(4, Timestamp.from(now));
                ps.setString(5, requestId);
                ps.setString(6, scope);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                    throw e; // a concurrent insert is fine: the UPDATE below finds it on the next, idempotent, call
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot fence a scope in the vault", e);
        }
        ScopeRow row = scopeState(scope).orElseThrow();
        if (row.state() == State.ACTIVE) {
            return fence(scope, ownerId, requestId, now); // minted between our two statements
        }
        return row.fingerprint();
    }

    /** Destroys the wrapped key of a fenced scope; the tombstone (fingerprint, times) stays. */
    void destroy(String scope, Instant now) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE scope_key SET state = 'DESTROYED', kek_id = NULL, "
                     + "sealed = NULL, destroyed_at = COALESCE(destroyed_at, ?) WHERE scope = ? AND state <> 'ACTIVE'")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, scope);
            if (ps.executeUpdate() == 0) {
                throw new IllegalStateException("only a fenced scope can be destroyed: " + scope);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot destroy a key in the vault", e);
        }
    }

    List<String> scopesOwnedBy(String ownerId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT scope FROM scope_key WHERE owner_id = ? ORDER BY scope")) {
            ps.setString(1, ownerId);
            List<String> scopes = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    scopes.add(rs.getString(1));
                }
            }
            return scopes;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the key vault", e);
        }
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
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
        pool.close();
    }
}
