package net.kimik2.api.audit;

/** Usage and revenue per day over the last {@code days} days, all people together (ADMIN). */
public record FindDailyActivityQuery(int days) {
}
