package net.kimik2.command.conversations;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** The limits of a prompt ({@code kimi.prompts.*}) that the conversation enforces. */
@Component
public class PromptSettings {

    final int defaultMaxTokens;
    final int maxTokensLimit;
    final int maxContentChars;
    /** How long credits stay held and a prompt stays pending before deadlines clean up after a crash. */
    final Duration holdTtl;

    public PromptSettings(@Value("${kimi.prompts.default-max-tokens:2048}") int defaultMaxTokens,
                          @Value("${kimi.prompts.max-tokens-limit:32768}") int maxTokensLimit,
                          @Value("${kimi.prompts.max-content-chars:100000}") int maxContentChars,
                          @Value("${kimi.prompts.hold-ttl:PT15M}") Duration holdTtl) {
        this.defaultMaxTokens = defaultMaxTokens;
        this.maxTokensLimit = maxTokensLimit;
        this.maxContentChars = maxContentChars;
        this.holdTtl = holdTtl;
    }
}
