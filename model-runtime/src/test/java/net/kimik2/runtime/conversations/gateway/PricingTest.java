package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.ModelPrice;
import net.kimik2.command.conversations.Pricing;
import net.kimik2.command.conversations.Usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PricingTest {

    private static final ModelPrice K2 = ModelCatalog.defaults().price("kimi-k2-0905-preview").orElseThrow();
    private static final ModelPrice TURBO = ModelCatalog.defaults().price("kimi-k2-turbo-preview").orElseThrow();

    @Test
    void defaultPricesAreTheListPricesInCredits() {
        assertThat(K2).isEqualTo(new ModelPrice("kimi-k2-0905-preview", 262_144, 150_000, 600_000, 2_500_000,
                "2026-01", Instant.parse("2026-01-01T00:00:00Z")));
        assertThat(TURBO.inputCacheHitPerMillion()).isEqualTo(150_000);
        assertThat(TURBO.inputCacheMissPerMillion()).isEqualTo(1_150_000);
        assertThat(TURBO.outputPerMillion()).isEqualTo(8_000_000);
        assertThat(TURBO.contextLength()).isEqualTo(262_144);
    }

    @Test
    void costSplitsPromptTokensIntoCacheHitsAndMisses() {
        // 89 x 600000 + 1024 x 150000 + 500 x 2500000 = 53.4M + 153.6M + 1250M = 1457M micro-credits
        assertThat(Pricing.cost(new Usage(1113, 1024, 500), K2)).isEqualTo(1457);
        // 1000 x 1150000 + 200 x 8000000 = 1150M + 1600M
        assertThat(Pricing.cost(new Usage(1000, 0, 200), TURBO)).isEqualTo(2750);
    }

    @Test
    void costRoundsUpToTheNextWholeCreditOnce() {
        assertThat(Pricing.cost(Usage.ZERO, K2)).isZero();
        assertThat(Pricing.cost(new Usage(1, 0, 0), K2)).isEqualTo(1); // 0.6 credits
        assertThat(Pricing.cost(new Usage(1, 1, 0), K2)).isEqualTo(1); // 0.15 credits
        assertThat(Pricing.cost(new Usage(3, 0, 1), TURBO)).isEqualTo(12); // 3.45 + 8 = 11.45
        assertThat(Pricing.cost(new Usage(5, 0, 0), K2)).isEqualTo(3); // exactly 3.0
        // summed before rounding: 7 x 0.15 + 3 x 0.6 = 2.85 -> 3 (rounding each part would give 2 + 2 = 4)
        assertThat(Pricing.cost(new Usage(10, 7, 0), K2)).isEqualTo(3);
    }

    @Test
    void costOfAFullContextStaysExact() {
        // 262144 x 600000 + 262144 x 2500000 = 812,646,400,000 micro-credits
        assertThat(Pricing.cost(new Usage(262_144, 0, 262_144), K2)).isEqualTo(812_647);
        assertThat(Pricing.cost(new Usage(Integer.MAX_VALUE, 0, Integer.MAX_VALUE), TURBO))
                .isEqualTo(19_649_475_371L); // 2147483647 x (1150000 + 8000000) = 19,649,475,370,050,000
    }

    @Test
    void maxCostHoldsPromptAtTheMissPriceAndMaxTokensAtTheOutputPrice() {
        // 1000 x 600000 + 4096 x 2500000 = 600M + 10240M
        assertThat(Pricing.maxCost(1000, 4096, K2)).isEqualTo(10_840);
        // maxTokens above the context length is capped at 262144: 10 x 600000 + 262144 x 2500000 = 655,366,000,000
        assertThat(Pricing.maxCost(10, 1_000_000, K2)).isEqualTo(655_366);
        assertThat(Pricing.maxCost(1, 0, TURBO)).isEqualTo(2); // 1.15
        assertThat(Pricing.maxCost(0, 0, TURBO)).isZero();
    }

    @Test
    void theHoldCoversTheActualCost() {
        int prompt = 5_000;
        int maxTokens = 2_000;
        long hold = Pricing.maxCost(prompt, maxTokens, K2);
        assertThat(Pricing.cost(new Usage(prompt, 0, maxTokens), K2)).isEqualTo(hold);
        assertThat(Pricing.cost(new Usage(prompt, 4_000, maxTokens), K2)).isLessThan(hold);
    }

    @Test
    void overflowIsAnErrorNotAWrongNumber() {
        ModelPrice absurd = new ModelPrice("x", 10, 0, Long.MAX_VALUE / 2, 0, "v", Instant.EPOCH);
        assertThatThrownBy(() -> Pricing.cost(new Usage(3, 0, 0), absurd)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Pricing.maxCost(3, 0, absurd)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Pricing.maxCost(-1, 0, K2)).isInstanceOf(IllegalArgumentException.class);
    }
}
