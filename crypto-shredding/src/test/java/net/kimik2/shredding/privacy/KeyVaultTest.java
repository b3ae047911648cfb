package net.kimik2.shredding.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyVaultTest {

    @TempDir
    Path dir;

    private KeyVault open(String... keks) {
        return new KeyVault(PrivacyTestSupport.vaultUrl(dir), null, null, new LocalKeyEncryptionService(List.of(keks)));
    }

    @Test
    void platformSecretIsCreatedOnceAndStableAcrossARestartWithTheSameKek() {
        String kek = PrivacyTestSupport.newKek();
        byte[] hmac;
        byte[] signing;
        KeyVault vault = open(kek);
        try {
            hmac = vault.platformSecret("lookup-hmac");
            signing = vault.platformSecret("token-signing");
            assertThat(hmac).hasSize(32);
            assertThat(signing).hasSize(32).isNotEqualTo(hmac);
            assertThat(vault.platformSecret("lookup-hmac")).isEqualTo(hmac);
        } finally {
            vault.destroy(); // closes the pool: the H2 file is really closed before the "restart"
        }

        KeyVault restarted = open(kek);
        try {
            assertThat(restarted.platformSecret("lookup-hmac")).isEqualTo(hmac);
            assertThat(restarted.platformSecret("token-signing")).isEqualTo(signing);
        } finally {
            restarted.destroy();
        }
    }

    /**
     * A vault made by the previous versions (tables by hand-run DDL, no Flyway history) is baselined at version 0 by
     * the vault's own Flyway and keeps its keys (ADR 0024).
     */
    @Test
    void aVaultOfThePreviousVersionMigratesAndKeepsItsSecret() throws Exception {
        String kek = PrivacyTestSupport.newKek();
        var kes = new LocalKeyEncryptionService(List.of(kek));
        byte[] secret = new byte[32];
        secret[0] = 7;
        var wrapped = kes.wrap(secret, "platform:lookup-hmac");
        try (var c = java.sql.DriverManager.getConnection(PrivacyTestSupport.vaultUrl(dir));
             var s = c.createStatement()) {
            // the DDL KeyVault ran at every start before Flyway
            s.execute("CREATE TABLE IF NOT EXISTS platform_secret (name VARCHAR(64) PRIMARY KEY, "
                    + "kek_id VARCHAR(32) NOT NULL, sealed VARBINARY(512) NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS scope_key (scope VARCHAR(128) PRIMARY KEY, "
                    + "owner_id VARCHAR(64), state VARCHAR(16) NOT NULL, kek_id VARCHAR(32), sealed VARBINARY(512), "
                    + "fingerprint VARCHAR(64) NOT NULL, created_at TIMESTAMP NOT NULL, fenced_at TIMESTAMP, "
                    + "destroyed_at TIMESTAMP, request_id VARCHAR(64))");
            s.execute("CREATE INDEX IF NOT EXISTS scope_key_owner ON scope_key (owner_id)");
            try (var ps = c.prepareStatement("INSERT INTO platform_secret (name, kek_id, sealed) VALUES (?, ?, ?)")) {
                ps.setString(1, "lookup-hmac");
                ps.setString(2, wrapped.kekId());
                ps.setBytes(3, wrapped.sealed());
                ps.executeUpdate();
            }
        }

        KeyVault vault = open(kek);
        try {
            assertThat(vault.platformSecret("lookup-hmac")).isEqualTo(secret);
        } finally {
            vault.destroy();
        }
        try (var c = java.sql.DriverManager.getConnection(PrivacyTestSupport.vaultUrl(dir));
             var rs = c.createStatement().executeQuery("SELECT \"version\", \"type\" FROM \"vault_schema_history\" "
                     + "WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\"")) {
            List<String> applied = new java.util.ArrayList<>();
            while (rs.next()) {
                applied.add(rs.getString(1) + " " + rs.getString(2));
            }
            assertThat(applied).containsExactly("0 BASELINE", "1 SQL");
        }
    }

    @Test
    void platformSecretSurvivesKekRotationWhenTheOldKekIsStillListed() {
        String a = PrivacyTestSupport.newKek();
        KeyVault vault = open(a);
        byte[] secret = vault.platformSecret("lookup-hmac");
        vault.destroy();

        KeyVault rotated = open(PrivacyTestSupport.newKek(), a);
        try {
            assertThat(rotated.platformSecret("lookup-hmac")).isEqualTo(secret);
        } finally {
            rotated.destroy();
        }
    }

    @Test
    void aRestartWithAnotherKekFailsLoudlyInsteadOfMintingANewSecret() {
        KeyVault vault = open(PrivacyTestSupport.newKek());
        vault.platformSecret("lookup-hmac");
        vault.destroy();

        KeyVault wrongKek = open(PrivacyTestSupport.newKek());
        try {
            assertThatThrownBy(() -> wrongKek.platformSecret("lookup-hmac"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no configured KEK has id");
        } finally {
            wrongKek.destroy();
        }
    }

    @Test
    void isUsableWhileOpenAndNotAfterClose() {
        KeyVault vault = open(PrivacyTestSupport.newKek());
        assertThat(vault.isUsable()).isTrue();
        vault.destroy();
        assertThat(vault.isUsable()).isFalse();
    }

    @Test
    void scopeStateOfAnUnknownScopeIsEmpty() {
        KeyVault vault = open(PrivacyTestSupport.newKek());
        try {
            assertThat(vault.scopeState("user:nobody")).isEmpty();
            assertThat(vault.scopesOwnedBy("nobody")).isEmpty();
        } finally {
            vault.destroy();
        }
    }
}
