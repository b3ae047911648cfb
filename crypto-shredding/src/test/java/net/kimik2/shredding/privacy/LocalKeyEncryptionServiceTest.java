package net.kimik2.shredding.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import net.kimik2.axon.platform.DataDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKeyEncryptionServiceTest {

    private static final String KEK_A = PrivacyTestSupport.newKek();
    private static final String KEK_B = PrivacyTestSupport.newKek();

    private static byte[] dek() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return raw;
    }

    private static String idOf(String b64) {
        return LocalKeyEncryptionService.fingerprint(Base64.getDecoder().decode(b64));
    }

    @Test
    void wrapThenUnwrapGivesTheKeyBack() {
        var kes = new LocalKeyEncryptionService(List.of(KEK_A));
        byte[] key = dek();

        var wrapped = kes.wrap(key, "dek:user:u-1");

        assertThat(wrapped.kekId()).isEqualTo(idOf(KEK_A)).isEqualTo(kes.newestKekId());
        assertThat(wrapped.sealed()).hasSize(12 + 32 + 16); // nonce + key + tag
        assertThat(kes.unwrap(wrapped, "dek:user:u-1")).isEqualTo(key);
        // random nonce: wrapping twice never gives the same bytes
        assertThat(kes.wrap(key, "dek:user:u-1").sealed()).isNotEqualTo(wrapped.sealed());
    }

    @Test
    void unwrapUnderAnotherContextFails() {
        var kes = new LocalKeyEncryptionService(List.of(KEK_A));
        var wrapped = kes.wrap(dek(), "dek:user:u-1");

        assertThatThrownBy(() -> kes.unwrap(wrapped, "dek:user:u-2"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unwrapping failed");
    }

    @Test
    void alteredSealedBytesFail() {
        var kes = new LocalKeyEncryptionService(List.of(KEK_A));
        var wrapped = kes.wrap(dek(), "ctx");
        byte[] altered = wrapped.sealed().clone();
        altered[20] ^= 1;

        assertThatThrownBy(() -> kes.unwrap(new KeyEncryptionService.WrappedKey(wrapped.kekId(), altered), "ctx"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rotationNewestKekWrapsAndEveryListedKekUnwraps() {
        byte[] key = dek();
        var wrappedByA = new LocalKeyEncryptionService(List.of(KEK_A)).wrap(key, "ctx");

        var rotated = new LocalKeyEncryptionService(List.of(KEK_B, KEK_A)); // B newest

        assertThat(rotated.unwrap(wrappedByA, "ctx")).isEqualTo(key);
        assertThat(rotated.newestKekId()).isEqualTo(idOf(KEK_B));
        var wrappedNow = rotated.wrap(dek(), "ctx");
        assertThat(wrappedNow.kekId()).isEqualTo(idOf(KEK_B)).isNotEqualTo(idOf(KEK_A));
        // and B alone can open what the rotated service wraps
        assertThat(new LocalKeyEncryptionService(List.of(KEK_B)).unwrap(wrappedNow, "ctx")).hasSize(32);
    }

    @Test
    void aServiceWithoutTheWrappingKekFailsClearly() {
        var wrappedByA = new LocalKeyEncryptionService(List.of(KEK_A)).wrap(dek(), "ctx");
        var onlyB = new LocalKeyEncryptionService(List.of(KEK_B));

        assertThatThrownBy(() -> onlyB.unwrap(wrappedByA, "ctx"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no configured KEK has id " + idOf(KEK_A));
    }

    @Test
    void invalidKeksAreRejected() {
        assertThatThrownBy(() -> new LocalKeyEncryptionService(List.of("not base64 !!")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base64");
        String short16 = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> new LocalKeyEncryptionService(List.of(short16)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256 bits");
        String long48 = Base64.getEncoder().encodeToString(new byte[48]);
        assertThatThrownBy(() -> new LocalKeyEncryptionService(List.of(KEK_A, long48)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256 bits");
        assertThatThrownBy(() -> new LocalKeyEncryptionService(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void errorMessagesNeverEchoTheKekValue() {
        String almost = KEK_A.substring(0, KEK_A.length() - 4) + "!!!!";
        assertThatThrownBy(() -> new LocalKeyEncryptionService(List.of(almost)))
                .message().doesNotContain(almost).doesNotContain(KEK_A.substring(0, 20));
    }

    @Test
    void configurationParsesACommaSeparatedListNewestFirst(@TempDir Path dir) {
        var service = (LocalKeyEncryptionService) new KeyConfiguration()
                .keyEncryptionService(" " + KEK_B + " , " + KEK_A + " ,", false, new DataDirectory(dir.toString()));

        assertThat(service.newestKekId()).isEqualTo(idOf(KEK_B));
        var wrappedByA = new LocalKeyEncryptionService(List.of(KEK_A)).wrap(new byte[32], "ctx");
        assertThat(service.unwrap(wrappedByA, "ctx")).isEqualTo(new byte[32]);
    }

    @Test
    void configurationWithoutKekRefusesToStartUnlessGenerationIsAllowed(@TempDir Path dir) throws Exception {
        var data = new DataDirectory(dir.toString());
        assertThatThrownBy(() -> new KeyConfiguration().keyEncryptionService("  ", false, data))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("KIMI_KEK is not set");
        assertThat(dir.resolve("kek.b64")).doesNotExist();

        var generated = (LocalKeyEncryptionService) new KeyConfiguration().keyEncryptionService("", true, data);
        Path file = dir.resolve("kek.b64");
        assertThat(file).exists();
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        String b64 = Files.readString(file, StandardCharsets.US_ASCII).trim();
        assertThat(generated.newestKekId()).isEqualTo(idOf(b64));
        // the generated KEK is reused on the next start, not replaced
        var again = (LocalKeyEncryptionService) new KeyConfiguration().keyEncryptionService("", true, data);
        assertThat(again.newestKekId()).isEqualTo(generated.newestKekId());
    }
}
