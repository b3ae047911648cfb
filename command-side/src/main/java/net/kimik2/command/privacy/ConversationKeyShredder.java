package net.kimik2.command.privacy;

import net.kimik2.api.conversations.ConversationDeletedEvent;
import net.kimik2.shredding.privacy.DataKeys;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.stereotype.Component;

/**
 * Shreds a deleted conversation: fences its key scope (no key is ever minted for it again) and destroys the key, so
 * its messages in the event log, the views and every backup become unreadable. A tracking processor with its token
 * in the event store's database, so a crash between the deletion and the shredding resumes here.
 */
@Component
@ProcessingGroup("conversations-key-shredder")
class ConversationKeyShredder {

    private final DataKeys keys;

    ConversationKeyShredder(DataKeys keys) {
        this.keys = keys;
    }

    @EventHandler
    void on(ConversationDeletedEvent event) {
        String scope = "conversation:" + event.conversationId();
        keys.fence(scope, event.userId(), "deletion:" + event.conversationId());
        keys.destroy(scope);
    }
}
