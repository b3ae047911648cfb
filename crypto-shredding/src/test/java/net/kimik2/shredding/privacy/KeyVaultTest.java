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
