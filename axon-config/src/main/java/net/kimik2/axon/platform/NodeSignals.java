package net.kimik2.axon.platform;

import java.util.function.Consumer;

/**
 * A best-effort broadcast from this node to the other nodes sharing the event store (ADR 0025): cache invalidations
 * and live prompt streams. Payloads carry ids (and ciphertext), never personal data in clear. On the embedded
 * default there is no other node and nothing is sent; with PostgreSQL it is LISTEN/NOTIFY.
 *
 * <p>A signal sent inside a unit of work leaves after its commit, so a receiver that reloads sees the change. A node
 * never receives its own signals (its local handlers already acted). Signals of one node arrive in the order sent.
 */
public interface NodeSignals {

    /** Sends {@code body} on {@code topic} (letters, digits, dashes) to the other nodes. */
    void publish(String topic, String body);

    /**
     * Sends at once, also inside a unit of work: for coordination the sending command waits on (a view replay asks
     * the other nodes to let go of a processor and waits for them before it commits).
     */
    default void publishNow(String topic, String body) {
        publish(topic, body);
    }

    /** Calls {@code receiver} on the signal thread with the body of every other node's signal on {@code topic}. */
    void subscribe(String topic, Consumer<String> receiver);

    /** Called when signals may have been missed (the connection carrying them was lost and is back). */
    default void onGap(Runnable receiver) {
    }

    /** Whether other nodes can exist at all (false on the embedded default). */
    boolean distributed();

    /** The embedded default: a single process, nobody to tell. */
    NodeSignals NONE = new NodeSignals() {
        @Override
        public void publish(String topic, String body) {
        }

        @Override
        public void subscribe(String topic, Consumer<String> receiver) {
        }

        @Override
        public boolean distributed() {
            return false;
        }
    };
}
