package net.kimik2.graphql.platform.security;

import net.kimik2.api.audit.RecordAdminAccessCommand;
import net.kimik2.api.platform.DomainException;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.stereotype.Component;

/**
 * Records an admin's read of a person's data before the data is handed out (issue 12): if the record cannot be
 * written, the read fails. Used by every admin field that returns a person's data.
 */
@Component
public class AdminReads {

    private final CommandGateway commands;

    AdminReads(CommandGateway commands) {
        this.commands = commands;
    }

    /** For reads that must state why (people search, audit trail). */
    public void recordWithReason(String subjectId, String what, String reason) {
        if (reason == null || reason.isBlank()) {
            throw DomainException.validation("reason", "state why you read this person's data");
        }
        record(subjectId, what, reason);
    }

    public void record(String subjectId, String what, String reason) {
        commands.sendAndWait(GenericCommandMessage.asCommandMessage(new RecordAdminAccessCommand(subjectId, what, reason))
                .withMetaData(Caller.metadata()));
    }
}
