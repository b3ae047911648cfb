package net.kimik2.command.audit;

import java.time.Clock;
import java.util.UUID;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.audit.AdminAccessRecordedEvent;
import net.kimik2.api.audit.RecordAdminAccessCommand;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.platform.MetadataKeys;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.annotation.MetaDataValue;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Turns every admin read of a person's data into an event before the data is handed out (issue 12): the reader
 * sends this command and answers only once it succeeded, so no read goes unrecorded.
 */
@Component
class AdminAccessRecorder {

    static final int MAX_REASON = 500;

    private final EventBus events;
    private final Clock clock;

    @Autowired
    AdminAccessRecorder(EventBus events) {
        this(events, Clock.systemUTC());
    }

    AdminAccessRecorder(EventBus events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    @CommandHandler
    String handle(RecordAdminAccessCommand command, @MetaDataValue(MetadataKeys.ACTOR_ID) String actorId,
                  @MetaDataValue(MetadataKeys.ACTOR_ROLE) String actorRole) {
        if (!Role.ADMIN.name().equals(actorRole) || actorId == null) {
            throw new DomainException(ErrorCode.FORBIDDEN, null, "only an admin reads another person's data");
        }
        if (command.subjectId() == null || command.subjectId().isBlank()) {
            throw DomainException.validation("subjectId", "name the person whose data is read");
        }
        if (command.what() == null || !command.what().matches("[A-Za-z][A-Za-z0-9:._-]{0,63}")) {
            throw DomainException.validation("what", "a stable label of the read");
        }
        String reason = command.reason() == null ? "" : command.reason().strip();
        if (reason.length() > MAX_REASON) {
            throw DomainException.validation("reason", "at most " + MAX_REASON + " characters");
        }
        String accessId = UUID.randomUUID().toString();
        events.publish(GenericEventMessage.asEventMessage(new AdminAccessRecordedEvent(accessId, actorId,
                        command.subjectId(), command.what(), reason.isEmpty() ? null : reason, clock.instant()))
                .andMetaData(MetaData.with(MetadataKeys.ACTOR_ID, actorId).and(MetadataKeys.ACTOR_ROLE, actorRole)));
        return accessId;
    }
}
