package net.kimik2.api.audit;

/** Recomputes every balance from the log now and compares it with the views (ADMIN); answers the report. */
public record RunConsistencyCheckCommand() {
}
