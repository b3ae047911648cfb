package net.kimik2.api.privacy;

import org.axonframework.serialization.Revision;

@Revision("1")
public record ErasureCompletedEvent(String userId, String requestId, ErasureCertificate certificate) {
}
