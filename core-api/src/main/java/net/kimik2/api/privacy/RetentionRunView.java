package net.kimik2.api.privacy;

import java.time.Instant;
import java.util.Map;

/** One recorded retention run: when, and how many items each rule shredded or removed (counts only). */
public record RetentionRunView(String runId, Instant ranAt, Map<String, Integer> counts, int heldPersons) {
}
