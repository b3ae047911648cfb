package net.kimik2.api.accounts;

import java.time.Instant;

/** Current choices; the defaults (everything off) until the person sets them. */
public record PrivacyChoicesView(String userId, boolean modelImprovement, boolean analyticsCookies,
                                 boolean productEmails, Instant updatedAt, String policyVersion) {

    public static PrivacyChoicesView defaults(String userId) {
        return new PrivacyChoicesView(userId, false, false, false, null, null);
    }

    /** The compact form that travels as message metadata ({@code MetadataKeys.PRIVACY_CHOICES}). */
    public String asMetadata() {
        return "modelImprovement=" + modelImprovement + ";analyticsCookies=" + analyticsCookies
                + ";productEmails=" + productEmails;
    }
}
