package net.kimik2.runtime.conversations.gateway;

/**
 * Receives the answer's text deltas in order, on a gateway thread. An exception thrown here is taken as
 * "the client is gone": the gateway stops calling the listener but keeps reading the upstream stream.
 */
@FunctionalInterface
public interface DeltaListener {

    DeltaListener NONE = text -> { };

    void onDelta(String text);
}
