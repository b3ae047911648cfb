package net.kimik2.command.conversations;

import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.axon.platform.NodeSignals;
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

        private static final String SIGNAL = "conversations-erased";

        private final Cache cache;
        private final NodeSignals signals;

        ConversationCacheEviction(@Qualifier(CONVERSATION_CACHE) Cache cache, NodeSignals signals) {
            this.cache = cache;
            this.signals = signals;
            // the other nodes drop theirs too (the erasure's user id is the only content of the signal, ADR 0025)
            signals.subscribe(SIGNAL, userId -> cache.removeAll());
        }

        @EventHandler
        void on(ErasureRequestedEvent event) {
            cache.removeAll();
            signals.publish(SIGNAL, event.userId());
        }
    }
}
