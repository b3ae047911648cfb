package net.kimik2.command.platform;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.Iterator;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;

/**
 * Writes one aggregate's events into an export as a JSON array, one event at a time (memory stays bounded however
 * long the stream), decrypted by the serializer on the way. Shared by every {@link ExportSection} that exports
 * event streams, so that they all write the same shape ({@code type}, {@code sequence}, {@code timestamp},
 * {@code data}).
 */
public final class EventStreamExport {

    /** Sees each event's payload and its JSON form before it is written; may edit the JSON (drop a field). */
    @FunctionalInterface
    public interface Visitor {
        void visit(Object payload, JsonNode json);
    }

    private static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private EventStreamExport() {
    }

    /** Writes the events of {@code aggregateId} as an array; answers how many were written. */
    public static long write(EventStore events, String aggregateId, JsonGenerator json, Visitor visitor)
            throws IOException {
        long count = 0;
        json.writeStartArray();
        Iterator<? extends DomainEventMessage<?>> it = events.readEvents(aggregateId).asStream().iterator();
        while (it.hasNext()) {
            DomainEventMessage<?> event = it.next();
            JsonNode payload = MAPPER.valueToTree(event.getPayload());
            visitor.visit(event.getPayload(), payload);
            json.writeStartObject();
            json.writeStringField("type", event.getPayloadType().getSimpleName());
            json.writeNumberField("sequence", event.getSequenceNumber());
            json.writeStringField("timestamp", event.getTimestamp().toString());
            json.writeFieldName("data");
            MAPPER.writeTree(json, payload);
            json.writeEndObject();
            count++;
        }
        json.writeEndArray();
        return count;
    }
}
