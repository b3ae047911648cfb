package net.kimik2.api.privacy;

public record FindLatestErasureRequestQuery(String userId) {
}
