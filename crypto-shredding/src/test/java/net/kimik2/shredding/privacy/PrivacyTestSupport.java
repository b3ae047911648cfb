package net.kimik2.shredding.privacy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.axonframework.serialization.ChainingConverter;
import org.axonframework.serialization.json.JacksonSerializer;

/** Real collaborators (ciphers, an H2 file vault, a meter registry) for the privacy tests; nothing is mocked. */
final class PrivacyTestSupport implements AutoCloseable {

    static final Duration TTL = Duration.ofMinutes(5);

    private final List<KeyVault> vaults = new ArrayList<>();
    final Path dir;
    final String kek;
    final LocalKeyEncryptionService kes;
    final KeyVault vault;
    final MeterRegistry meters = new SimpleMeterRegistry();
    final DataKeys keys;
    final FieldCipher cipher;

    PrivacyTestSupport(Path dir) {
        this(dir, newKek());
    }

    PrivacyTestSupport(Path dir, String kek) {
        this.dir = dir;
        this.kek = kek;
        this.kes = new LocalKeyEncryptionService(List.of(kek));
        this.vault = openVault(kes);
        this.keys = new DataKeys(vault, kes, meters, 1000, TTL);
        this.cipher = new FieldCipher(keys, meters);
    }

    static String newKek() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    String vaultUrl() {
        return vaultUrl(dir);
    }

    static String vaultUrl(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("vault") + ";WRITE_DELAY=0";
    }

    /** Another KeyVault instance over the same file: what a restart sees. */
    KeyVault openVault(KeyEncryptionService service) {
        KeyVault v = new KeyVault(vaultUrl(), null, null, service);
        vaults.add(v);
        return v;
    }

    /** A fresh DataKeys (empty cache) over a fresh vault instance on the same file, as after a restart. */
    DataKeys restartedKeys(MeterRegistry registry) {
        return new DataKeys(openVault(kes), kes, registry, 1000, TTL);
    }

    static ObjectMapper objectMapper() {
        return new ObjectMapper().findAndRegisterModules();
    }

    static JacksonSerializer plainJackson(ObjectMapper mapper) {
        return JacksonSerializer.builder()
                .converter(new ChainingConverter(PrivacyTestSupport.class.getClassLoader()))
                .objectMapper(mapper)
                .build();
    }

    EncryptingSerializer encryptingSerializer() {
        ObjectMapper mapper = objectMapper();
        return new EncryptingSerializer(plainJackson(mapper), new PersonalDataProtector(cipher, mapper));
    }

    double counter(String name) {
        return count(meters.find(name));
    }

    static double counter(MeterRegistry registry, String name, String result) {
        return count(registry.find(name).tag("result", result));
    }

    /** A counter's count, whether it is a Counter or a (LongAdder-backed) FunctionCounter; 0 when absent. */
    static double count(io.micrometer.core.instrument.search.Search search) {
        var c = search.counter();
        if (c != null) {
            return c.count();
        }
        var f = search.functionCounter();
        return f == null ? 0 : f.count();
    }

    @Override
    public void close() {
        vaults.forEach(KeyVault::destroy);
    }
}
