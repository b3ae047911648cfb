package net.kimik2.api.audit;

import java.util.List;

/** Rebuilds the named views from the event log (ADMIN only): reset handlers clear them, then all events replay. */
public record ReplayViewsCommand(List<String> processors) {

    public ReplayViewsCommand {
        processors = processors == null ? List.of() : List.copyOf(processors);
    }
}
