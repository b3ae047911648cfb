package net.kimik2.axon.platform;

import java.lang.management.ManagementFactory;

/**
 * This process's name among the nodes that share one event store: {@code KIMI_NODE_ID}, by default Axon's own
 * default owner name ({@code pid@hostname}), so that token-store owners, in-flight prompt rows and signal senders
 * all name a node the same way. Holds no personal data.
 */
public record NodeIdentity(String id) {

    public NodeIdentity {
        if (id == null || id.isBlank()) {
            id = ManagementFactory.getRuntimeMXBean().getName();
        }
        if (id.length() > 50 || id.contains("|")) {
            throw new IllegalArgumentException("KIMI_NODE_ID must be at most 50 characters without '|'");
        }
    }
}
