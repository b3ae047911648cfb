package net.kimik2.query.audit;

import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.kimik2.api.audit.DailyActivities;
import net.kimik2.api.audit.DailyActivity;
import net.kimik2.api.audit.FindDailyActivityQuery;
import net.kimik2.api.platform.DomainException;
import org.axonframework.queryhandling.QueryHandler;
import org.bson.Document;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.stereotype.Component;

/**
 * Usage and revenue per day for the dashboard's charts, summed over the conversations' answers and the ledger's
 * grants (views of those capabilities, read-only; no personal values are read).
 */
@Component
class DailyActivityReader {

    static final String MESSAGES = "conversations_message";
    static final String LEDGER = "credits_ledger_entry";

    private final MongoTemplate mongo;
    private final Clock clock = Clock.systemUTC();

    DailyActivityReader(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    @QueryHandler
    DailyActivities handle(FindDailyActivityQuery query) {
        if (query.days() < 1 || query.days() > 366) {
            throw DomainException.validation("days", "days must be between 1 and 366");
        }
        LocalDate to = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate from = to.minusDays(query.days() - 1L);
        Map<LocalDate, long[]> usage = new TreeMap<>();
        for (Document g : mongo.getCollection(MESSAGES).aggregate(List.of(
                Aggregates.match(Filters.and(Filters.eq("role", "assistant"), Filters.exists("failureCode", false),
                        Filters.gte("day", from.toString()))),
                Aggregates.group("$day", Accumulators.sum("prompts", 1),
                        Accumulators.sum("promptTokens", "$promptTokens"),
                        Accumulators.sum("completionTokens", "$completionTokens"),
                        Accumulators.sum("costCredits", "$costCredits"))))) {
            usage.put(LocalDate.parse(g.getString("_id")), new long[] {number(g, "prompts"),
                    number(g, "promptTokens") + number(g, "completionTokens"), number(g, "costCredits")});
        }
        Map<LocalDate, Map<String, Long>> grants = new TreeMap<>();
        for (Document d : mongo.getCollection(LEDGER).find(Filters.and(Filters.eq("kind", "grant"),
                Filters.gte("createdAt", Date.from(from.atStartOfDay().toInstant(ZoneOffset.UTC)))))) {
            LocalDate day = LocalDate.ofInstant(d.getDate("createdAt").toInstant(), ZoneOffset.UTC);
            String source = d.getString("reference") == null ? "other" : d.getString("reference");
            grants.computeIfAbsent(day, k -> new TreeMap<>()).merge(source, number(d, "amount"), Math::addExact);
        }
        List<DailyActivity> days = new ArrayList<>();
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            long[] u = usage.getOrDefault(day, new long[3]);
            Map<String, Long> g = grants.getOrDefault(day, Map.of());
            days.add(new DailyActivity(day, u[0], u[1], u[2], g.values().stream().mapToLong(Long::longValue).sum(),
                    g.entrySet().stream().map(e -> new DailyActivity.GrantsBySource(e.getKey(), e.getValue())).toList()));
        }
        return new DailyActivities(days);
    }

    private static long number(Document d, String field) {
        return d.get(field) instanceof Number n ? n.longValue() : 0;
    }
}
