package net.kimik2.api.privacy;

public record DataExportChunk(byte[] data, boolean last) {
}
