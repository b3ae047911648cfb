package net.kimik2.api.privacy;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Step 5: records the certificate; a second completion of the same request is a no-op. */
public record CompleteErasureCommand(@TargetAggregateIdentifier String userId, ErasureCertificate certificate) {
}
