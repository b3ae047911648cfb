package net.kimik2.api.accounts;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** The complete choices after a change, with the policy version they were made under. */
@Revision("1")
public record PrivacyChoicesSetEvent(String userId, boolean modelImprovement, boolean analyticsCookies,
                                     boolean productEmails, String policyVersion, Instant setAt) {
}
