package net.kimik2.api.audit;

/** Status of every view processor; answers {@link ViewProcessors}. */
public record FindViewProcessorsQuery() {
}
