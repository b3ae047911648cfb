package net.kimik2.command.privacy;

import net.kimik2.api.privacy.DataExportRequestedEvent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.stereotype.Component;

/** Writes an export's PENDING row in the request's own transaction, so {@code dataExport} knows it at once. */
@Component
@ProcessingGroup("accounts-sessions")
class DataExportRequests {

    private final DataExportProcess exports;

    DataExportRequests(DataExportProcess exports) {
        this.exports = exports;
    }

    @EventHandler
    void on(DataExportRequestedEvent event) {
        exports.pending(event);
    }
}
