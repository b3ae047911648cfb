package net.kimik2.command.conversations;

import net.kimik2.api.privacy.ErasureRequestedEvent;
import org.axonframework.common.caching.Cache;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

@Configuration(proxyBeanMethods = false)
class ConversationsConfiguration {

    /** The bean of axon-config's AggregateCacheConfiguration. */
    static final String CONVERSATION_CACHE = "conversationCache";

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
