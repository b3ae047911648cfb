package net.kimik2.api.audit;

import java.util.List;

public record AuditTrail(String aggregateId, List<AuditTrailEntry> events, boolean hasNextPage) {
}
