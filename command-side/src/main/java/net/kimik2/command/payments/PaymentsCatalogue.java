package net.kimik2.command.payments;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.kimik2.api.payments.CreditPackView;
import net.kimik2.api.payments.FindCreditPacksQuery;
import net.kimik2.api.payments.FindPlansQuery;
import net.kimik2.api.payments.PlanView;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Credit packs and plans from versioned configuration ({@code kimi.payments.packs}, {@code kimi.payments.plans}): an
 * item may appear several times with different {@code effective-from} dates; the latest one in effect is offered. A
 * purchase stamps the credits of the version it was started under, so a later change never alters it. The catalogue
 * is configuration, not a view, so its queries are answered here beside the checkout that uses it.
 */
@ConfigurationProperties("kimi.payments")
public class PaymentsCatalogue {

    private final List<Pack> packs;
    private final List<Plan> plans;
    private final Clock clock;

    @ConstructorBinding
    public PaymentsCatalogue(@DefaultValue List<Pack> packs, @DefaultValue List<Plan> plans) {
        this(packs, plans, Clock.systemUTC());
    }

    PaymentsCatalogue(List<Pack> packs, List<Plan> plans, Clock clock) {
        this.packs = List.copyOf(packs);
        this.plans = List.copyOf(plans);
        this.clock = clock;
    }

    /** A pack version; {@code effectiveFrom} is an ISO-8601 instant (null: always). */
    public record Pack(String id, long credits, long priceCents, String currency, String stripePriceId,
                       String effectiveFrom) {

        Instant from() {
            return effectiveFrom == null ? null : Instant.parse(effectiveFrom);
        }

        CreditPackView view() {
            return new CreditPackView(id, credits, priceCents, currency, stripePriceId, from());
        }
    }

    public record Plan(String id, long creditsPerPeriod, long priceCents, String currency,
                       @DefaultValue("month") String interval, String stripePriceId, String effectiveFrom) {

        Instant from() {
            return effectiveFrom == null ? null : Instant.parse(effectiveFrom);
        }

        PlanView view() {
            return new PlanView(id, creditsPerPeriod, priceCents, currency, interval, stripePriceId, from());
        }
    }

    @QueryHandler
    public List<CreditPackView> handle(FindCreditPacksQuery query) {
        return current(packs, Pack::id, Pack::from).stream().map(Pack::view).toList();
    }

    @QueryHandler
    public List<PlanView> handle(FindPlansQuery query) {
        return current(plans, Plan::id, Plan::from).stream().map(Plan::view).toList();
    }

    public Optional<Pack> pack(String id) {
        return current(packs, Pack::id, Pack::from).stream().filter(p -> p.id().equals(id)).findFirst();
    }

    public Optional<Plan> plan(String id) {
        return current(plans, Plan::id, Plan::from).stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** Per id, the version with the latest effective date not in the future; in configuration order. */
    private <T> List<T> current(List<T> items, Function<T, String> id, Function<T, Instant> from) {
        Instant now = clock.instant();
        var latest = items.stream()
                .filter(i -> from.apply(i) == null || !from.apply(i).isAfter(now))
                .collect(Collectors.toMap(id, Function.identity(), (a, b) -> Comparator.comparing(
                        (T i) -> from.apply(i), Comparator.nullsFirst(Comparator.naturalOrder())).compare(a, b) >= 0
                        ? a : b, java.util.LinkedHashMap::new));
        return List.copyOf(latest.values());
    }
}
