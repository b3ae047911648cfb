package net.kimik2.api.privacy;

/**
 * One decrypted chunk (at most 64 KiB) of a READY, unexpired export of the person; a download reads them in turn,
 * so neither side ever holds the whole file. Answers {@link DataExportChunk}, empty data past the end.
 */
public record ReadDataExportChunkQuery(String exportId, String userId, int chunk) {
}
