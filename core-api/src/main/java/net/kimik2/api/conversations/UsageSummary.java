package net.kimik2.api.conversations;

import java.util.List;

/** Usage per day and model, newest day first. */
public record UsageSummary(List<DailyUsageView> days) {
}
