package net.kimik2.command.privacy;

import net.kimik2.command.platform.ExportSummary;
import net.kimik2.command.platform.EventStreamExport;
import net.kimik2.command.platform.ExportSection;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import net.kimik2.api.credits.CreditLedgerId;
import net.kimik2.shredding.privacy.DataKeys;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.stereotype.Component;

/**
 * The person's own event streams, read from the event log and decrypted with their keys on the way (the serializer
 * does that): the account (profile and its changes, logins with device records, choices, policy acceptances, legal
 * holds, export and erasure requests), the credit ledger (grants, holds, captures: usage in credits) and every
 * conversation they own (each prompt and answer with its branch parent and token usage; a deleted conversation
 * reads as erased). One event at a time: memory stays bounded however long the history.
 */
@Component
class EventLogExportSection implements ExportSection {

    private static final List<String> SECRET_FIELDS = List.of("passwordHash");

    private final EventStore events;
    private final DataKeys keys;

    EventLogExportSection(EventStore events, DataKeys keys) {
        this.events = events;
        this.keys = keys;
    }

    @Override
    public String name() {
        return "eventLog";
    }

    @Override
    public void write(String userId, JsonGenerator json, ExportSummary summary) throws IOException {
        json.writeStartObject();
        json.writeFieldName("account");
        long n = stream(userId, json, summary);
        summary.count("account events", n);
        json.writeFieldName("credits");
        summary.count("credit ledger entries", stream(CreditLedgerId.forUser(userId), json, null));
        json.writeArrayFieldStart("conversations");
        for (String scope : keys.scopesOwnedBy(userId)) {
            if (scope.startsWith("conversation:")) {
                String conversationId = scope.substring("conversation:".length());
                json.writeStartObject();
                json.writeStringField("conversationId", conversationId);
                json.writeBooleanField("shredded", keys.isErased(scope));
                json.writeFieldName("events");
                summary.count("conversation events", stream(conversationId, json, null));
                summary.count("conversations", 1);
                json.writeEndObject();
            }
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    /**
     * Writes one aggregate's events (no password hash); the summary, when given, gets the latest profile values
     * from the account.
     */
    private long stream(String aggregateId, JsonGenerator json, ExportSummary profile) throws IOException {
        String[] latest = new String[2];
        long count = EventStreamExport.write(events, aggregateId, json, (payload, tree) -> {
            if (tree instanceof ObjectNode object) {
                object.remove(SECRET_FIELDS);
                if (object.hasNonNull("name") && object.hasNonNull("email")) {
                    latest[0] = object.get("name").asText();
                    latest[1] = object.get("email").asText();
                }
            }
        });
        if (profile != null && latest[0] != null) {
            profile.line("Name: " + latest[0]);
            profile.line("Email: " + latest[1]);
        }
        return count;
    }
}
