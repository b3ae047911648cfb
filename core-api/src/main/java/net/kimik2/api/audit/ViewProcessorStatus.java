package net.kimik2.api.audit;

/**
 * One view processor: {@code position} is the global event-store position it has handled, {@code headPosition}
 * the newest one in the store. A replay is finished when it is caught up at the head (Axon's replaying flag only
 * clears with the next new event).
 */
public record ViewProcessorStatus(String name, boolean running, boolean replaying, boolean caughtUp, Long position,
                                  Long headPosition, String error) {
}
