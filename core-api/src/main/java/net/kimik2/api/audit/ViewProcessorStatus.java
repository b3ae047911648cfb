package net.kimik2.api.audit;

/**
 * One view processor: {@code position} is the global event-store position it has handled, {@code headPosition}
 * the newest one in the store, {@code lagEvents} the difference and {@code lagSeconds} the age of the oldest event not handled yet. A replay is finished when it is caught up at the
 * head (Axon's replaying flag only clears with the next new event); {@code replay} reports the latest one.
 */
public record ViewProcessorStatus(String name, boolean running, boolean replaying, boolean caughtUp, Long position,
                                  Long headPosition, String error, Long lagEvents, Double lagSeconds,
                                  ReplayProgress replay) {

    public ViewProcessorStatus(String name, boolean running, boolean replaying, boolean caughtUp, Long position,
                               Long headPosition, String error) {
        this(name, running, replaying, caughtUp, position, headPosition, error,
                position == null || headPosition == null ? null : Math.max(0, headPosition - position), null, null);
    }
}
