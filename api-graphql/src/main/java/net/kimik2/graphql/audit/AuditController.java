package net.kimik2.graphql.audit;

import java.time.Instant;
import java.util.List;
import net.kimik2.api.audit.AuditTrail;
import net.kimik2.api.audit.FindAuditTrailQuery;
import net.kimik2.api.audit.FindViewProcessorsQuery;
import net.kimik2.api.audit.ReplayViewsCommand;
import net.kimik2.api.audit.ViewProcessorStatus;
import net.kimik2.api.audit.ViewProcessors;
import net.kimik2.graphql.audit.ReplayViewsResult.ReplayStarted;
import net.kimik2.graphql.audit.ReplayViewsResult.ValidationFailed;
import net.kimik2.graphql.platform.schema.DomainErrors;
import net.kimik2.graphql.platform.security.Caller;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

@Controller
class AuditController {

    private final CommandGateway commands;
    private final QueryGateway queries;

    AuditController(CommandGateway commands, QueryGateway queries) {
        this.commands = commands;
        this.queries = queries;
    }

    record ReplayViewsInput(List<String> processors) {
    }

    @QueryMapping
    List<ViewProcessorStatus> viewProcessors() {
        Caller.requireAdmin();
        return queries.query(new FindViewProcessorsQuery(), ResponseTypes.instanceOf(ViewProcessors.class)).join()
                .processors();
    }

    @QueryMapping
    AuditTrail auditTrail(@Argument String aggregateId, @Argument Integer first, @Argument Long afterSequence) {
        Caller.requireAdmin();
        return queries.query(new FindAuditTrailQuery(aggregateId, first == null ? 100 : first,
                afterSequence == null ? -1 : afterSequence), ResponseTypes.instanceOf(AuditTrail.class)).join();
    }

    @MutationMapping
    ReplayViewsResult replayViews(@Argument ReplayViewsInput input) {
        Caller.requireAdmin();
        Instant startedAt = Instant.now();
        try {
            commands.sendAndWait(GenericCommandMessage.asCommandMessage(new ReplayViewsCommand(input.processors()))
                    .withMetaData(Caller.metadata()));
        } catch (RuntimeException e) {
            return DomainErrors.validationFailedOrRethrow(e, ValidationFailed::new);
        }
        return new ReplayStarted(input.processors(), startedAt);
    }
}
