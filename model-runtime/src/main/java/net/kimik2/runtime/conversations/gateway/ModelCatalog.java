package net.kimik2.runtime.conversations.gateway;

import net.kimik2.command.conversations.ModelPrice;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The models we offer and their versioned prices, from configuration ({@code kimi.models.catalog}).
 * A model may appear several times with different {@code effective-from} dates: the price in force at an
 * instant is the one with the latest {@code effective-from} not after that instant.
 */
public final class ModelCatalog {

    /** Default price version and date of the built-in entries (Moonshot list prices as of 2026). */
    public static final String DEFAULT_PRICE_VERSION = "2026-01";
    public static final Instant DEFAULT_EFFECTIVE_FROM = LocalDate.of(2026, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();

    private final Map<String, List<ModelPrice>> pricesByModel; // each list sorted by effectiveFrom ascending
    private final List<String> modelIds;
    private final Clock clock;

    public ModelCatalog(List<ModelPrice> prices) {
        this(prices, Clock.systemUTC());
    }

    public ModelCatalog(List<ModelPrice> prices, Clock clock) {
        Objects.requireNonNull(prices, "prices");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (prices.isEmpty()) {
            throw new IllegalArgumentException("the model catalog must list at least one model");
        }
        Map<String, List<ModelPrice>> byModel = new LinkedHashMap<>();
        for (ModelPrice price : prices) {
            byModel.computeIfAbsent(price.modelId(), id -> new ArrayList<>()).add(price);
        }
        Map<String, List<ModelPrice>> sorted = new LinkedHashMap<>();
        byModel.forEach((id, list) -> {
            list.sort(Comparator.comparing(ModelPrice::effectiveFrom));
            for (int i = 1; i < list.size(); i++) {
                if (list.get(i).effectiveFrom().equals(list.get(i - 1).effectiveFrom())) {
                    throw new IllegalArgumentException("two prices for " + id + " take effect at "
                            + list.get(i).effectiveFrom());
                }
            }
            sorted.put(id, List.copyOf(list));
        });
        this.pricesByModel = Map.copyOf(sorted);
        this.modelIds = List.copyOf(sorted.keySet());
    }

    /** The built-in defaults: kimi-k2-0905-preview and kimi-k2-turbo-preview at the 2026 list prices. */
    public static ModelCatalog defaults() {
        return new ModelCatalog(defaultPrices());
    }

    public static List<ModelPrice> defaultPrices() {
        return List.of(
                new ModelPrice("kimi-k2-0905-preview", 262_144, 150_000, 600_000, 2_500_000,
                        DEFAULT_PRICE_VERSION, DEFAULT_EFFECTIVE_FROM),
                new ModelPrice("kimi-k2-turbo-preview", 262_144, 150_000, 1_150_000, 8_000_000,
                        DEFAULT_PRICE_VERSION, DEFAULT_EFFECTIVE_FROM));
    }

    /** Model ids in configuration order; the first is the default model. */
    public List<String> modelIds() {
        return modelIds;
    }

    public String defaultModelId() {
        return modelIds.get(0);
    }

    public boolean contains(String modelId) {
        return pricesByModel.containsKey(modelId);
    }

    /** The price in force now, if the model is listed and a price is already effective. */
    public Optional<ModelPrice> price(String modelId) {
        return price(modelId, clock.instant());
    }

    /** The price in force at {@code at}: the latest entry whose effective-from is not after {@code at}. */
    public Optional<ModelPrice> price(String modelId, Instant at) {
        List<ModelPrice> list = pricesByModel.get(modelId);
        if (list == null) {
            return Optional.empty();
        }
        ModelPrice found = null;
        for (ModelPrice price : list) {
            if (!price.effectiveFrom().isAfter(at)) {
                found = price;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Every price entry of every model (all versions). */
    public List<ModelPrice> allPrices() {
        List<ModelPrice> all = new ArrayList<>();
        modelIds.forEach(id -> all.addAll(pricesByModel.get(id)));
        return List.copyOf(all);
    }
}
