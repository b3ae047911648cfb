package net.kimik2.api.audit;

import java.util.List;

/** Every day of a {@link FindDailyActivityQuery}, oldest first, days without activity included. */
public record DailyActivities(List<DailyActivity> days) {
}
