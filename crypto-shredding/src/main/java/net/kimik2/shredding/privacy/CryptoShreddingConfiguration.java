package net.kimik2.shredding.privacy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.axonframework.serialization.ChainingConverter;
import org.axonframework.serialization.RevisionResolver;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import net.kimik2.axon.platform.NodeSignals;

/** The data keys, the field cipher and the encrypting serializer that Axon uses for everything it stores. */
@Configuration(proxyBeanMethods = false)
public class CryptoShreddingConfiguration {

    @Bean
    DataKeys dataKeys(KeyVault vault, KeyEncryptionService kes, ObjectProvider<MeterRegistry> meters,
                      @Value("${kimi.privacy.key-cache.size:10000}") int cacheSize,
                      @Value("${kimi.privacy.key-cache.ttl:PT60S}") Duration cacheTtl, NodeSignals signals) {
        DataKeys keys = new DataKeys(vault, kes, meters.getIfAvailable(SimpleMeterRegistry::new), cacheSize, cacheTtl);
        // a key fenced or destroyed here leaves the other nodes' caches at once, not after the TTL (ADR 0025)
        keys.onErased(scope -> signals.publish("key-erased", scope));
        signals.subscribe("key-erased", keys::evict);
        signals.onGap(keys::evictAll);
        return keys;
    }

    @Bean
    EncryptedFiles encryptedFiles(DataKeys keys) {
        return new EncryptedFiles(keys);
    }

    @Bean
    FieldCipher fieldCipher(DataKeys keys, ObjectProvider<MeterRegistry> meters) {
        return new FieldCipher(keys, meters.getIfAvailable(SimpleMeterRegistry::new));
    }

    @Bean
    PersonalDataProtector personalDataProtector(FieldCipher cipher, ObjectMapper objectMapper) {
        return new PersonalDataProtector(cipher, objectMapper);
    }

    /** Axon's general serializer; the message and event serializers default to it (axon.serializer.* = jackson). */
    @Bean
    @Primary
    Serializer serializer(RevisionResolver revisionResolver, ObjectMapper objectMapper,
                          PersonalDataProtector protector) {
        JacksonSerializer jackson = JacksonSerializer.builder()
                .revisionResolver(revisionResolver)
                .converter(new ChainingConverter(getClass().getClassLoader()))
                .objectMapper(objectMapper)
                .build();
        return new EncryptingSerializer(jackson, protector);
    }
}
