package net.kimik2.app.platform;

import net.kimik2.shredding.privacy.KeyVault;
import org.bson.Document;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Health of the stores beside the event store's database (which Boot checks as {@code db}). Boot's own MongoDB
 * check sends {@code hello}, which the embedded server does not know; {@code ping} works on both.
 */
@Configuration(proxyBeanMethods = false)
class StoreHealthConfiguration {

    @Bean
    HealthIndicator mongoHealthIndicator(MongoTemplate mongo) {
        return () -> {
            try {
                Document answer = mongo.executeCommand(new Document("ping", 1));
                return answer.get("ok") instanceof Number ok && ok.intValue() == 1 ? Health.up().build()
                        : Health.down().build();
            } catch (RuntimeException e) {
                return Health.down().withDetail("error", e.getClass().getSimpleName()).build();
            }
        };
    }

    @Bean
    HealthIndicator keyVaultHealthIndicator(KeyVault vault) {
        return () -> vault.isUsable() ? Health.up().build() : Health.down().build();
    }
}
