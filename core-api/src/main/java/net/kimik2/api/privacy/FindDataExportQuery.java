package net.kimik2.api.privacy;

/** Answers an optional {@link DataExportView}; empty when missing or not the person's. */
public record FindDataExportQuery(String exportId, String userId) {
}
