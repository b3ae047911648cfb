package net.kimik2.command.accounts;

import java.time.Duration;
import java.time.Instant;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Settings that the account rules read: the current privacy policy (version, effective date, where its text is)
 * and the session lifetime. A new version is announced to everyone at once; from its effective date on, people who
 * have not accepted it may only accept it, export their data or erase it (ADR 0021).
 */
@Component
class PolicySettings {

    private final String currentPolicyVersion;
    private final Instant effectiveFrom;
    private final String policyUrl;
    private final Duration sessionTtl;

    @Autowired
    PolicySettings(@Value("${kimi.policy.version}") String currentPolicyVersion,
                   @Value("${kimi.policy.effective-from:2026-01-01T00:00:00Z}") Instant effectiveFrom,
                   @Value("${kimi.policy.text-location:https://kimi-k2.net/privacy}") String policyUrl,
                   @Value("${kimi.session.ttl:P7D}") Duration sessionTtl) {
        this.currentPolicyVersion = currentPolicyVersion;
        this.effectiveFrom = effectiveFrom;
        this.policyUrl = policyUrl;
        this.sessionTtl = sessionTtl;
    }

    PolicySettings(String currentPolicyVersion, Duration sessionTtl) {
        this(currentPolicyVersion, Instant.EPOCH, "https://kimi-k2.net/privacy", sessionTtl);
    }

    String currentPolicyVersion() {
        return currentPolicyVersion;
    }

    Instant effectiveFrom() {
        return effectiveFrom;
    }

    String policyUrl() {
        return policyUrl;
    }

    Duration sessionTtl() {
        return sessionTtl;
    }

    /** Whether someone who accepted {@code acceptedVersion} must accept the current version before acting. */
    boolean acceptanceRequired(String acceptedVersion, Instant now) {
        return !currentPolicyVersion.equals(acceptedVersion) && !now.isBefore(effectiveFrom);
    }
}
