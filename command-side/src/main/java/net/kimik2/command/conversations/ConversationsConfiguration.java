package net.kimik2.command.conversations;

import java.time.Duration;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.axon.platform.CaffeineAggregateCache;
import org.axonframework.common.caching.Cache;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

@Configuration(proxyBeanMethods = false)
class ConversationsConfiguration {

    static final String CONVERSATION_CACHE = "conversationCache";

    /**
     * Active conversations stay loaded between a prompt and its answer (two commands a few hundred ms apart), so
     * neither re-reads and decrypts the conversation's events. The idle expiry bounds how long decrypted content
     * stays in memory.
     */
    @Bean(CONVERSATION_CACHE)
    Cache conversationCache(@Value("${kimi.cache.conversations.size:10000}") long size,
                            @Value("${kimi.cache.conversations.idle:PT10M}") Duration idle) {
        return new CaffeineAggregateCache(size, idle);
    }

    /**
     * Erasure shreds every conversation key of the person; their cached conversations go at once too, so no
     * decrypted content outlives the request in memory. Erasures are rare: dropping the whole cache is simplest.
     */
    @Component
    @ProcessingGroup("conversations-cache")
    static class ConversationCacheEviction {

        private final Cache cache;

        ConversationCacheEviction(@Qualifier(CONVERSATION_CACHE) Cache cache) {
            this.cache = cache;
        }

        @EventHandler
        void on(ErasureRequestedEvent event) {
            cache.removeAll();
        }
    }
}
