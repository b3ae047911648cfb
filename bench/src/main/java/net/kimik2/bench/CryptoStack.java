package net.kimik2.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import net.kimik2.shredding.privacy.DataKeys;
import net.kimik2.shredding.privacy.EncryptingSerializer;
import net.kimik2.shredding.privacy.FieldCipher;
import net.kimik2.shredding.privacy.KeyVault;
import net.kimik2.shredding.privacy.LocalKeyEncryptionService;
import net.kimik2.shredding.privacy.PersonalDataProtector;
import org.axonframework.serialization.AnnotationRevisionResolver;
import org.axonframework.serialization.ChainingConverter;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * The production crypto-shredding objects, wired by hand the way {@code CryptoShreddingConfiguration} and
 * {@code KeyConfiguration} wire them: a real {@link KeyVault} on an H2 file, a {@link LocalKeyEncryptionService}
 * with a random KEK, {@link DataKeys} with the production cache (10000 entries, 60 s TTL), {@link FieldCipher},
 * {@link PersonalDataProtector} and the {@link EncryptingSerializer} around Axon's {@link JacksonSerializer}.
 */
final class CryptoStack implements AutoCloseable {

    final Path dir;
    final String kek;
    final LocalKeyEncryptionService kes;
    final KeyVault vault;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final DataKeys keys;
    final FieldCipher cipher;
    final ObjectMapper mapper;
    final JacksonSerializer jackson;
    final EncryptingSerializer encrypting;

    private CryptoStack(Path dir, String kek) {
        this(dir, kek, 10_000);
    }

    private CryptoStack(Path dir, String kek, int cacheSize) {
        this.dir = dir;
        this.kek = kek;
        this.kes = new LocalKeyEncryptionService(List.of(kek));
        this.vault = new KeyVault("jdbc:h2:file:" + dir.resolve("vault") + ";WRITE_DELAY=0", "", "", kes);
        this.keys = new DataKeys(vault, kes, meters, cacheSize, Duration.ofSeconds(60));
        this.cipher = new FieldCipher(keys, meters);
        this.mapper = objectMapper();
        this.jackson = jackson(mapper);
        this.encrypting = new EncryptingSerializer(jackson(mapper), new PersonalDataProtector(cipher, mapper));
    }

    /** A new vault in a new temporary directory, under a new random KEK. */
    static CryptoStack create(String prefix) throws IOException {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return new CryptoStack(Files.createTempDirectory(prefix), Base64.getEncoder().encodeToString(raw));
    }

    /** An existing vault (closed by its previous user) under its KEK, with a cold key cache, like a restarted service. */
    static CryptoStack open(Path dir, String kek, int cacheSize) {
        return new CryptoStack(dir, kek, cacheSize);
    }

    /** Like Spring Boot's auto-configured ObjectMapper, which the service hands to Axon's serializer. */
    static ObjectMapper objectMapper() {
        return JsonMapper.builder()
                .findAndAddModules()
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    static JacksonSerializer jackson(ObjectMapper mapper) {
        return JacksonSerializer.builder()
                .revisionResolver(new AnnotationRevisionResolver())
                .converter(new ChainingConverter(CryptoStack.class.getClassLoader()))
                .objectMapper(mapper)
                .build();
    }

    double counter(String name, String... tags) {
        var c = meters.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        vault.destroy();
    }

    void deleteFiles() throws IOException {
        deleteTree(dir);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
