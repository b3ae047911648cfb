package net.kimik2.api.privacy;

public record FindErasureCertificateQuery(String requestId) {
}
