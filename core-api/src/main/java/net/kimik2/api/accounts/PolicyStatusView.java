package net.kimik2.api.accounts;

import java.time.Instant;

/** The configured policy, what the person accepted, and whether they must accept before changing anything. */
public record PolicyStatusView(String currentVersion, Instant effectiveFrom, String policyUrl,
                               String acceptedVersion, boolean acceptanceRequired) {
}
