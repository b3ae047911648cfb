package net.kimik2.api.audit;

/** The latest consistency check's report, on demand or scheduled; {@code Optional.empty()} before the first. */
public record FindConsistencyReportQuery() {
}
