package net.kimik2.api.audit;

import java.time.Instant;
import java.util.List;

/**
 * A consistency check: every balance recomputed from the event log up to {@code logPosition} and compared with the
 * balance view; each view document that differs is listed (no personal values: ids and numbers).
 */
public record ConsistencyReport(Instant checkedAt, long logPosition, long eventsRead, long balancesChecked,
                                long durationMillis, List<ViewDifference> differences) {

    public ConsistencyReport {
        differences = List.copyOf(differences);
    }

    /** One field of one view document that disagrees with the log ({@code null} where a document is missing). */
    public record ViewDifference(String view, String documentId, String field, Long expected, Long actual) {
    }
}
