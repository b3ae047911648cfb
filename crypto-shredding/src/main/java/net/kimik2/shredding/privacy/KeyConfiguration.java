package net.kimik2.shredding.privacy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import net.kimik2.axon.platform.DataDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The KEK ({@code KIMI_KEK}, newest first), the key vault, and the service secrets derived from it. Only the
 * embedded default may generate a KEK (into the data directory, with a loud warning); every other profile refuses
 * to start without one.
 */
@Configuration(proxyBeanMethods = false)
public class KeyConfiguration {

    private static final Logger log = LoggerFactory.getLogger(KeyConfiguration.class);

    @Bean
    KeyEncryptionService keyEncryptionService(@Value("${kimi.kek:}") String kek,
                                              @Value("${kimi.kek-generate-if-missing:false}") boolean generate,
                                              DataDirectory dataDirectory) {
        List<String> keks = Arrays.stream(kek.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (keks.isEmpty()) {
            if (!generate) {
                throw new IllegalStateException("KIMI_KEK is not set: set it to the base64 of a 256-bit key "
                        + "(e.g. `openssl rand -base64 32`); only the embedded default may generate one");
            }
            keks = List.of(generatedKek(dataDirectory.resolve("kek.b64")));
        }
        return new LocalKeyEncryptionService(keks);
    }

    private static String generatedKek(Path file) {
        try {
            if (Files.exists(file)) {
                log.warn("USING THE GENERATED KEY-ENCRYPTION KEY IN {}: fine for a laptop, not for production. "
                        + "Set KIMI_KEK and keep the key away from the data it protects.", file);
                return Files.readString(file, StandardCharsets.US_ASCII).trim();
            }
            byte[] raw = new byte[32];
            new SecureRandom().nextBytes(raw);
            String b64 = Base64.getEncoder().encodeToString(raw);
            Files.writeString(file, b64, StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            log.warn("GENERATED A KEY-ENCRYPTION KEY INTO {}: fine for a laptop, not for production. "
                    + "Set KIMI_KEK and keep the key away from the data it protects.", file);
            return b64;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    @Bean
    KeyVault keyVault(@Value("${kimi.vault.url:}") String url,
                      @Value("${kimi.vault.username:}") String username,
                      @Value("${kimi.vault.password:}") String password,
                      KeyEncryptionService kes, DataDirectory dataDirectory) {
        String jdbcUrl = url.isBlank()
                ? "jdbc:h2:retry:" + dataDirectory.resolve("vault") + ";WRITE_DELAY=0"
                : url;
        return new KeyVault(jdbcUrl, username, password, kes);
    }

    /** Keys the HMAC lookup of unique personal values (email, username), so that none is stored in clear. */
    @Bean
    SecretKey lookupHmacKey(KeyVault vault) {
        return new SecretKeySpec(vault.platformSecret("lookup-hmac"), "HmacSHA256");
    }

    /** Signs bearer tokens and session cookies. */
    @Bean
    SecretKey tokenSigningKey(KeyVault vault) {
        return new SecretKeySpec(vault.platformSecret("token-signing"), "HmacSHA256");
    }
}
