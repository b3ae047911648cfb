package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.ModelPrice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ModelGatewayConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withInitializer(context -> context.getBeanFactory()
                    .setConversionService(ApplicationConversionService.getSharedInstance()))
            .withUserConfiguration(ModelGatewayConfiguration.class);

    @Test
    void withoutAKeyTheOfflineModelIsUsed() {
        runner.withPropertyValues("kimi.model.api-key=", "kimi.model.max-concurrent=2").run(context -> {
            assertThat(context).hasNotFailed();
            ModelGateway gateway = context.getBean(ModelGateway.class);
            assertThat(gateway).isInstanceOf(LimitedModelGateway.class);
            assertThat(((LimitedModelGateway) gateway).delegate()).isInstanceOf(OfflineModel.class);
            assertThat(((LimitedModelGateway) gateway).limiter().maxConcurrent()).isEqualTo(2);
            assertThat(((LimitedModelGateway) gateway).limiter().maxQueued()).isEqualTo(32);
            assertThat(context.getBean(ModelCatalog.class).modelIds())
                    .containsExactly("kimi-k2-0905-preview", "kimi-k2-turbo-preview");
        });
    }

    @Test
    void withAKeyTheHttpGatewayIsConfigured() {
        runner.withPropertyValues("kimi.model.api-key=sk-local", "kimi.model.base-url=http://127.0.0.1:9/v1",
                "kimi.model.first-token-timeout=7s", "kimi.model.max-attempts=5").run(context -> {
            assertThat(context).hasNotFailed();
            LimitedModelGateway gateway = context.getBean(LimitedModelGateway.class);
            assertThat(gateway.delegate()).isInstanceOf(OpenAiCompatibleGateway.class);
            OpenAiCompatibleGateway.Settings settings = ((OpenAiCompatibleGateway) gateway.delegate()).settings();
            assertThat(settings.baseUrl().toString()).isEqualTo("http://127.0.0.1:9/v1");
            assertThat(settings.endpoint().toString()).isEqualTo("http://127.0.0.1:9/v1/chat/completions");
            assertThat(settings.firstTokenTimeout()).hasSeconds(7);
            assertThat(settings.connectTimeout()).hasSeconds(5);
            assertThat(settings.idleTimeout()).hasSeconds(30);
            assertThat(settings.maxAttempts()).isEqualTo(5);
        });
    }

    @Test
    void theCatalogComesFromConfiguration() {
        runner.withPropertyValues("kimi.model.api-key=",
                "kimi.models.catalog[0].id=kimi-k2.5",
                "kimi.models.catalog[0].context-length=262144",
                "kimi.models.catalog[0].input-cache-hit-per-million=100000",
                "kimi.models.catalog[0].input-cache-miss-per-million=600000",
                "kimi.models.catalog[0].output-per-million=3000000",
                "kimi.models.catalog[0].price-version=2026-03",
                "kimi.models.catalog[0].effective-from=2026-03-01",
                "kimi.models.catalog[1].id=kimi-k2.5",
                "kimi.models.catalog[1].context-length=262144",
                "kimi.models.catalog[1].input-cache-hit-per-million=100000",
                "kimi.models.catalog[1].input-cache-miss-per-million=500000",
                "kimi.models.catalog[1].output-per-million=2500000",
                "kimi.models.catalog[1].price-version=2026-01",
                "kimi.models.catalog[1].effective-from=2026-01-01T00:00:00Z").run(context -> {
            assertThat(context).hasNotFailed();
            ModelCatalog catalog = context.getBean(ModelCatalog.class);
            assertThat(catalog.modelIds()).containsExactly("kimi-k2.5");
            ModelPrice march = catalog.price("kimi-k2.5", Instant.parse("2026-03-01T00:00:00Z")).orElseThrow();
            assertThat(march).isEqualTo(new ModelPrice("kimi-k2.5", 262_144, 100_000, 600_000, 3_000_000,
                    "2026-03", Instant.parse("2026-03-01T00:00:00Z")));
            assertThat(catalog.price("kimi-k2.5", Instant.parse("2026-02-01T00:00:00Z")).orElseThrow()
                    .priceVersion()).isEqualTo("2026-01");
        });
    }

    @Test
    void anIncompleteCatalogEntryFailsStartup() {
        runner.withPropertyValues("kimi.model.api-key=", "kimi.models.catalog[0].id=x",
                "kimi.models.catalog[0].context-length=1000").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("input-cache-hit-per-million");
        });
    }
}
