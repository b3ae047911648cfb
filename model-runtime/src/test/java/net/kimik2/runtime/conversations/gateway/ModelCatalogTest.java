package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.ModelPrice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {

    private static final Instant JAN = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant JUN = Instant.parse("2026-06-01T00:00:00Z");

    private static ModelPrice price(String id, long output, String version, Instant from) {
        return new ModelPrice(id, 131_072, 100_000, 500_000, output, version, from);
    }

    @Test
    void defaultsListBothKimiModelsInOrder() {
        ModelCatalog catalog = ModelCatalog.defaults();

        assertThat(catalog.modelIds()).containsExactly("kimi-k2-0905-preview", "kimi-k2-turbo-preview");
        assertThat(catalog.defaultModelId()).isEqualTo("kimi-k2-0905-preview");
        assertThat(catalog.contains("kimi-k2-turbo-preview")).isTrue();
        assertThat(catalog.price("gpt-unknown")).isEmpty();
    }

    @Test
    void picksThePriceVersionInForceAtAnInstant() {
        ModelCatalog catalog = new ModelCatalog(List.of(price("m", 3_000_000, "2026-06", JUN),
                price("m", 2_000_000, "2026-01", JAN)), Clock.fixed(Instant.parse("2026-07-01T00:00:00Z"),
                ZoneOffset.UTC));

        assertThat(catalog.price("m", JAN.minusSeconds(1))).isEmpty();
        assertThat(catalog.price("m", JAN).orElseThrow().priceVersion()).isEqualTo("2026-01");
        assertThat(catalog.price("m", JUN.minusSeconds(1)).orElseThrow().priceVersion()).isEqualTo("2026-01");
        assertThat(catalog.price("m", JUN).orElseThrow().priceVersion()).isEqualTo("2026-06");
        assertThat(catalog.price("m").orElseThrow().outputPerMillion()).isEqualTo(3_000_000);
        assertThat(catalog.modelIds()).containsExactly("m");
        assertThat(catalog.allPrices()).extracting(ModelPrice::priceVersion).containsExactly("2026-01", "2026-06");
    }

    @Test
    void rejectsAmbiguousOrEmptyCatalogs() {
        assertThatThrownBy(() -> new ModelCatalog(List.of(price("m", 1, "a", JAN), price("m", 2, "b", JAN))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ModelCatalog(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ModelPrice("m", 0, 1, 1, 1, "v", JAN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ModelPrice("m", 1, -1, 1, 1, "v", JAN))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
