package net.kimik2.command.conversations;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Limits and timings of prompts ({@code kimi.prompts.*}). */
@Component
class PromptSettings {

    final int defaultMaxTokens;
    final int maxTokensLimit;
    final int maxContentChars;
    /** How long credits stay held and a prompt stays pending before deadlines clean up after a crash. */
    final Duration holdTtl;
    /** How long a finished stream stays in memory for late subscribers. */
    final Duration streamRetention;
    /** How many prompts of one person may be in acceptance at once; more answer Busy at once. */
    final int maxConcurrentPerUser;
    /** At most one stream frame per this interval (deltas in between are sent together). */
    final Duration streamFrameInterval;

    PromptSettings(@Value("${kimi.prompts.default-max-tokens:2048}") int defaultMaxTokens,
                   @Value("${kimi.prompts.max-tokens-limit:32768}") int maxTokensLimit,
                   @Value("${kimi.prompts.max-content-chars:100000}") int maxContentChars,
                   @Value("${kimi.prompts.hold-ttl:PT15M}") Duration holdTtl,
                   @Value("${kimi.prompts.stream-retention:PT10M}") Duration streamRetention,
                   @Value("${kimi.prompts.max-concurrent-per-user:8}") int maxConcurrentPerUser,
                   @Value("${kimi.prompts.stream-frame-interval:PT0.05S}") Duration streamFrameInterval) {
        this.defaultMaxTokens = defaultMaxTokens;
        this.maxTokensLimit = maxTokensLimit;
        this.maxContentChars = maxContentChars;
        this.holdTtl = holdTtl;
        this.streamRetention = streamRetention;
        this.maxConcurrentPerUser = maxConcurrentPerUser;
        this.streamFrameInterval = streamFrameInterval;
    }
}
