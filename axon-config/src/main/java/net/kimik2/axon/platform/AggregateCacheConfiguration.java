package net.kimik2.axon.platform;

import java.time.Duration;
import org.axonframework.common.caching.Cache;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The aggregate caches, named for the aggregates that use them ({@code @Aggregate(cache = "...")}), so the domain
 * refers to them by name and imports no cache implementation.
 */
@Configuration(proxyBeanMethods = false)
public class AggregateCacheConfiguration {

    public static final String CREDIT_LEDGER_CACHE = "creditLedgerCache";
    public static final String CONVERSATION_CACHE = "conversationCache";

    /**
     * Every prompt touches its user's ledger two or three times; a cached ledger is used as is instead of being
     * rebuilt from its snapshot and newest events each time. Ledgers hold no personal data.
     */
    @Bean(CREDIT_LEDGER_CACHE)
    Cache creditLedgerCache(@Value("${kimi.cache.ledgers.size:20000}") long size,
                            @Value("${kimi.cache.ledgers.idle:PT30M}") Duration idle) {
        return new CaffeineAggregateCache(size, idle);
    }

    /**
     * Active conversations stay loaded between a prompt and its answer (two commands a few hundred ms apart), so
     * neither re-reads and decrypts the conversation's events. The idle expiry bounds how long decrypted content
     * stays in memory; the conversations capability drops the whole cache on an erasure.
     */
    @Bean(CONVERSATION_CACHE)
    Cache conversationCache(@Value("${kimi.cache.conversations.size:10000}") long size,
                            @Value("${kimi.cache.conversations.idle:PT10M}") Duration idle) {
        return new CaffeineAggregateCache(size, idle);
    }
}
