package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.ModelPrice;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Builds the {@link ModelGateway} and the {@link ModelCatalog}.
 *
 * <p>With {@code kimi.model.api-key} (env {@code KIMI_MODEL_API_KEY}) set, the gateway is an
 * {@link OpenAiCompatibleGateway} on {@code kimi.model.base-url}; without it, the {@link OfflineModel}, announced
 * by one WARN line. Either way it is wrapped in a {@link LimitedModelGateway} under the global concurrency limit.
 */
@Configuration(proxyBeanMethods = false)
public class ModelGatewayConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ModelGatewayConfiguration.class);

    public static final String DEFAULT_BASE_URL = "https://api.moonshot.ai/v1";

    @Bean(destroyMethod = "close")
    public LimitedModelGateway modelGateway(
            @Value("${kimi.model.api-key:${KIMI_MODEL_API_KEY:}}") String apiKey,
            @Value("${kimi.model.base-url:${KIMI_MODEL_BASE_URL:" + DEFAULT_BASE_URL + "}}") String baseUrl,
            @Value("${kimi.model.connect-timeout:5s}") Duration connectTimeout,
            @Value("${kimi.model.first-token-timeout:30s}") Duration firstTokenTimeout,
            @Value("${kimi.model.idle-timeout:30s}") Duration idleTimeout,
            @Value("${kimi.model.max-attempts:3}") int maxAttempts,
            @Value("${kimi.model.retry-initial-backoff:500ms}") Duration initialBackoff,
            @Value("${kimi.model.retry-max-backoff:8s}") Duration maxBackoff,
            @Value("${kimi.model.max-retry-after:20s}") Duration maxRetryAfter,
            @Value("${kimi.model.max-concurrent:8}") int maxConcurrent,
            @Value("${kimi.model.max-queued:32}") int maxQueued,
            @Value("${kimi.model.max-queue-wait:60s}") Duration maxQueueWait,
            @Value("${kimi.model.offline.chunk-delay:10ms}") Duration offlineChunkDelay,
            ObjectProvider<MeterRegistry> meterRegistry) {
        MeterRegistry registry = meterRegistry.getIfAvailable(() -> Metrics.globalRegistry);
        ModelGateway gateway;
        if (apiKey == null || apiKey.isBlank()) {
            log.warn("*** No model API key configured (kimi.model.api-key / KIMI_MODEL_API_KEY): using the OFFLINE "
                    + "model. Answers are synthetic and labelled 'offline:<model>'; no real model is called. ***");
            gateway = new OfflineModel(offlineChunkDelay);
        } else {
            OpenAiCompatibleGateway.Settings settings = new OpenAiCompatibleGateway.Settings(
                    URI.create(baseUrl.strip()), apiKey.strip(), connectTimeout, firstTokenTimeout, idleTimeout,
                    maxAttempts, initialBackoff, maxBackoff, maxRetryAfter);
            log.info("model gateway: OpenAI-compatible upstream {} maxConcurrent={} maxQueued={}",
                    settings.baseUrl(), maxConcurrent, maxQueued);
            if ("http".equalsIgnoreCase(settings.baseUrl().getScheme()) && !isLoopback(settings.baseUrl().getHost())) {
                log.warn("kimi.model.base-url is plain HTTP to a non-local host: the API key travels unencrypted");
            }
            gateway = new OpenAiCompatibleGateway(settings);
        }
        return new LimitedModelGateway(gateway,
                new FairConcurrencyLimiter(maxConcurrent, maxQueued, maxQueueWait, registry), registry);
    }

    private static boolean isLoopback(String host) {
        return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
                || host.equals("::1"));
    }

    @Bean
    public ModelCatalog modelCatalog(Environment environment) {
        List<CatalogEntry> entries = Binder.get(environment)
                .bind("kimi.models.catalog", Bindable.listOf(CatalogEntry.class))
                .orElse(List.of());
        if (entries.isEmpty()) {
            return ModelCatalog.defaults();
        }
        List<ModelPrice> prices = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            prices.add(entries.get(i).toPrice(i));
        }
        ModelCatalog catalog = new ModelCatalog(prices);
        log.info("model catalog: {}", catalog.modelIds());
        return catalog;
    }

    /** One {@code kimi.models.catalog[i]} entry as configured; every field is required. */
    public static class CatalogEntry {
        private String id;
        private Integer contextLength;
        private Long inputCacheHitPerMillion;
        private Long inputCacheMissPerMillion;
        private Long outputPerMillion;
        private String priceVersion;
        private String effectiveFrom;

        ModelPrice toPrice(int index) {
            String where = "kimi.models.catalog[" + index + "].";
            return new ModelPrice(required(id, where + "id"), required(contextLength, where + "context-length"),
                    required(inputCacheHitPerMillion, where + "input-cache-hit-per-million"),
                    required(inputCacheMissPerMillion, where + "input-cache-miss-per-million"),
                    required(outputPerMillion, where + "output-per-million"),
                    required(priceVersion, where + "price-version"),
                    parseInstant(required(effectiveFrom, where + "effective-from"), where + "effective-from"));
        }

        /** {@code 2026-01-01} (start of that day, UTC) or an ISO instant / offset date-time. */
        static Instant parseInstant(String value, String name) {
            String text = value.strip();
            try {
                if (text.length() == 10) {
                    return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
                }
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalStateException(name + " is not a date (yyyy-MM-dd) or ISO date-time: " + value, e);
            }
        }

        private static <T> T required(T value, String name) {
            if (value == null || value instanceof String s && s.isBlank()) {
                throw new IllegalStateException(name + " is required");
            }
            return value;
        }

        public String getId() {
            return id;
        }

        public void setId(String id) {
            this.id = id;
        }

        public Integer getContextLength() {
            return contextLength;
        }

        public void setContextLength(Integer contextLength) {
            this.contextLength = contextLength;
        }

        public Long getInputCacheHitPerMillion() {
            return inputCacheHitPerMillion;
        }

        public void setInputCacheHitPerMillion(Long inputCacheHitPerMillion) {
            this.inputCacheHitPerMillion = inputCacheHitPerMillion;
        }

        public Long getInputCacheMissPerMillion() {
            return inputCacheMissPerMillion;
        }

        public void setInputCacheMissPerMillion(Long inputCacheMissPerMillion) {
            this.inputCacheMissPerMillion = inputCacheMissPerMillion;
        }

        public Long getOutputPerMillion() {
            return outputPerMillion;
        }

        public void setOutputPerMillion(Long outputPerMillion) {
            this.outputPerMillion = outputPerMillion;
        }

        public String getPriceVersion() {
            return priceVersion;
        }

        public void setPriceVersion(String priceVersion) {
            this.priceVersion = priceVersion;
        }

        public String getEffectiveFrom() {
            return effectiveFrom;
        }

        public void setEffectiveFrom(String effectiveFrom) {
            this.effectiveFrom = effectiveFrom;
        }
    }
}
