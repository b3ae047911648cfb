package net.kimik2.api.audit;

/** The stored events of one aggregate (an account, or a ledger {@code ledger-<userId>}), oldest first (ADMIN). */
public record FindAuditTrailQuery(String aggregateId, int first, long afterSequence) {
}
