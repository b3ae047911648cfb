package net.kimik2.query.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import net.kimik2.api.audit.AuditTrailEntry;
import net.kimik2.api.audit.AuditTrail;
import net.kimik2.api.audit.FindAuditTrailQuery;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.MetadataKeys;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.serialization.Revision;
import org.springframework.stereotype.Component;

/** Reads an aggregate's events straight from the log, the way an audit or a replay sees them. */
@Component
class AuditTrailReader {

    private final EventStore eventStore;
    private final ObjectMapper mapper;

    AuditTrailReader(EventStore eventStore, ObjectMapper mapper) {
        this.eventStore = eventStore;
        this.mapper = mapper;
    }

    @QueryHandler
    AuditTrail handle(FindAuditTrailQuery query) {
        if (query.first() < 1 || query.first() > 500) {
            throw DomainException.validation("first", "first must be between 1 and 500");
        }
        DomainEventStream stream = eventStore.readEvents(query.aggregateId(), Math.max(0, query.afterSequence() + 1));
        List<AuditTrailEntry> events = new ArrayList<>();
        boolean more = false;
        while (stream.hasNext()) {
            DomainEventMessage<?> event = stream.next();
            if (events.size() == query.first()) {
                more = true;
                break;
            }
            Revision revision = event.getPayloadType().getAnnotation(Revision.class);
            Object actor = event.getMetaData().get(MetadataKeys.ACTOR_ID);
            events.add(new AuditTrailEntry(event.getSequenceNumber(), typeName(event.getPayloadType()),
                    revision == null ? null : revision.value(), event.getTimestamp(),
                    actor == null ? null : actor.toString(), json(event.getPayload())));
        }
        return new AuditTrail(query.aggregateId(), events, more);
    }

    /**
     * The event's stable name: its record's simple name without the {@code Event} suffix, e.g. {@code AccountRegistered}
     * (packages move when code is reorganised; the names of events are part of the log's meaning).
     */
    static String typeName(Class<?> type) {
        String name = type.getSimpleName();
        return name.endsWith("Event") && name.length() > "Event".length()
                ? name.substring(0, name.length() - "Event".length()) : name;
    }

    private String json(Object payload) {
        try {
            return mapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render an event payload", e);
        }
    }
}
