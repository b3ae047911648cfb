package net.kimik2.api.privacy;

import java.time.Instant;
import java.util.List;

/**
 * Proof of an erasure that holds no personal data: which key scopes were destroyed (with the SHA-256 fingerprints
 * of the destroyed keys), how many stored events became unreadable, how many view documents were purged, when, by
 * whom and on which legal basis.
 */
public record ErasureCertificate(
        String requestId,
        String subjectId,
        List<String> scopes,
        List<String> keyFingerprints,
        long eventsAffected,
        long viewDocumentsPurged,
        Instant requestedAt,
        Instant completedAt,
        String actorId,
        String legalBasis) {

    public ErasureCertificate {
        scopes = List.copyOf(scopes);
        keyFingerprints = List.copyOf(keyFingerprints);
    }
}
