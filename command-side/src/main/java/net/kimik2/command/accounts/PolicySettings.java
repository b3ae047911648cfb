package net.kimik2.command.accounts;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Settings that the account rules read: the privacy policy version to accept and the session lifetime. */
@Component
class PolicySettings {

    private final String currentPolicyVersion;
    private final Duration sessionTtl;

    PolicySettings(@Value("${kimi.policy.version}") String currentPolicyVersion,
                   @Value("${kimi.session.ttl:P7D}") Duration sessionTtl) {
        this.currentPolicyVersion = currentPolicyVersion;
        this.sessionTtl = sessionTtl;
    }

    String currentPolicyVersion() {
        return currentPolicyVersion;
    }

    Duration sessionTtl() {
        return sessionTtl;
    }
}
