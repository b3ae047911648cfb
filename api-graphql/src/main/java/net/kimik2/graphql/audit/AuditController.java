package net.kimik2.graphql.audit;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.kimik2.api.accounts.AccountView;
import net.kimik2.api.accounts.FindAccountQuery;
import net.kimik2.api.accounts.FindUserIdByEmailQuery;
import net.kimik2.api.audit.AdminAccessEntry;
import net.kimik2.api.audit.AdminAccessPage;
import net.kimik2.api.audit.FindAdminAccessLogQuery;
import net.kimik2.api.audit.AuditTrail;
import net.kimik2.api.audit.BalanceAsOf;
import net.kimik2.api.audit.CancelReplayCommand;
import net.kimik2.api.audit.DailyActivities;
import net.kimik2.api.audit.DailyActivity;
import net.kimik2.api.audit.FindDailyActivityQuery;
import net.kimik2.api.audit.ConsistencyReport;
import net.kimik2.api.audit.FindBalanceAsOfQuery;
import net.kimik2.api.audit.FindConsistencyReportQuery;
import net.kimik2.api.audit.RunConsistencyCheckCommand;
import net.kimik2.api.audit.FindAuditTrailQuery;
import net.kimik2.api.audit.FindViewProcessorsQuery;
import net.kimik2.api.audit.ReplayViewsCommand;
import net.kimik2.api.audit.ViewProcessorStatus;
import net.kimik2.api.audit.ViewProcessors;
import net.kimik2.graphql.audit.ReplayViewsResult.ReplayStarted;
import net.kimik2.graphql.audit.ReplayViewsResult.ValidationFailed;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.PageRequest;
import net.kimik2.graphql.platform.schema.Connections.Connection;
import net.kimik2.graphql.platform.schema.Connections.Edge;
import net.kimik2.graphql.platform.schema.Connections.PageInfo;
import net.kimik2.graphql.platform.schema.DomainErrors;
import net.kimik2.graphql.platform.security.AdminReads;
import net.kimik2.graphql.platform.security.Caller;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.stereotype.Controller;

@Controller
class AuditController {

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final AdminReads reads;

    AuditController(CommandGateway commands, QueryGateway queries, AdminReads reads) {
        this.commands = commands;
        this.queries = queries;
        this.reads = reads;
    }

    record ReplayViewsInput(List<String> processors) {
    }

    record CancelReplayInput(String processor) {
    }

    @QueryMapping
    List<ViewProcessorStatus> viewProcessors() {
        Caller.requireAdmin();
        return queries.query(new FindViewProcessorsQuery(), ResponseTypes.instanceOf(ViewProcessors.class)).join()
                .processors();
    }

    @QueryMapping
    AuditTrail auditTrail(@Argument String aggregateId, @Argument String reason, @Argument Integer first,
                          @Argument Long afterSequence) {
        Caller.requireAdmin();
        reads.recordWithReason(subjectOf(aggregateId), "auditTrail", reason);
        return queries.query(new FindAuditTrailQuery(aggregateId, first == null ? 100 : first,
                afterSequence == null ? -1 : afterSequence), ResponseTypes.instanceOf(AuditTrail.class)).join();
    }

    /** A ledger's trail is its owner's; every other aggregate id names the person (or a conversation) itself. */
    private static String subjectOf(String aggregateId) {
        return aggregateId.startsWith("ledger-") ? aggregateId.substring("ledger-".length()) : aggregateId;
    }

    /** The person's own trail shows who read their data, and why. */
    @SchemaMapping(typeName = "AuditTrail")
    List<AdminAccessEntry> adminAccesses(AuditTrail trail) {
        return queries.query(new FindAdminAccessLogQuery(subjectOf(trail.aggregateId()), PageRequest.of(100, null)),
                ResponseTypes.instanceOf(AdminAccessPage.class)).join().entries();
    }

    @QueryMapping
    Connection<AdminAccessEntry> adminAccessLog(@Argument String subjectId, @Argument Integer first,
                                                @Argument String after) {
        Caller.requireAdmin();
        AdminAccessPage page = queries.query(new FindAdminAccessLogQuery(subjectId, PageRequest.of(first, after)),
                ResponseTypes.instanceOf(AdminAccessPage.class)).join();
        return new Connection<>(page.entries().stream().map(e -> new Edge<>(e, e.cursor())).toList(),
                new PageInfo(page.hasNextPage(), page.endCursor()));
    }

    @QueryMapping
    Optional<AccountView> person(@Argument String userId, @Argument String email, @Argument String reason) {
        Caller.requireAdmin();
        if ((userId == null || userId.isBlank()) == (email == null || email.isBlank())) {
            throw DomainException.validation("userId", "give either a user id or an exact email");
        }
        Optional<String> id = userId != null && !userId.isBlank() ? Optional.of(userId.strip())
                : queries.query(new FindUserIdByEmailQuery(email), ResponseTypes.optionalInstanceOf(String.class)).join();
        if (id.isEmpty()) {
            return Optional.empty();
        }
        // the search itself is the read: recorded (without the email) before anything is answered
        reads.recordWithReason(id.get(), userId != null && !userId.isBlank() ? "person:byId" : "person:byEmail", reason);
        return queries.query(new FindAccountQuery(id.get()), ResponseTypes.optionalInstanceOf(AccountView.class)).join();
    }

    @QueryMapping
    List<DailyActivity> adminDailyActivity(@Argument Integer days) {
        Caller.requireAdmin();
        return queries.query(new FindDailyActivityQuery(days == null ? 30 : days),
                ResponseTypes.instanceOf(DailyActivities.class)).join().days();
    }

    @QueryMapping
    Optional<ConsistencyReport> consistencyCheck() {
        Caller.requireAdmin();
        return queries.query(new FindConsistencyReportQuery(), ResponseTypes.optionalInstanceOf(ConsistencyReport.class))
                .join();
    }

    @MutationMapping
    ConsistencyReport runConsistencyCheck() {
        Caller.requireAdmin();
        return commands.sendAndWait(GenericCommandMessage.asCommandMessage(new RunConsistencyCheckCommand())
                .withMetaData(Caller.metadata()));
    }

    @QueryMapping
    BalanceAsOf balanceAsOf(@Argument String userId, @Argument Instant at, @Argument String reason) {
        Caller.requireAdmin();
        reads.recordWithReason(userId, "balanceAsOf", reason);
        return queries.query(new FindBalanceAsOfQuery(userId, at), ResponseTypes.instanceOf(BalanceAsOf.class)).join();
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

    @MutationMapping
    CancelReplayResult cancelReplay(@Argument CancelReplayInput input) {
        Caller.requireAdmin();
        try {
            commands.sendAndWait(GenericCommandMessage.asCommandMessage(new CancelReplayCommand(input.processor()))
                    .withMetaData(Caller.metadata()));
        } catch (RuntimeException e) {
            return DomainErrors.validationFailedOrRethrow(e, CancelReplayResult.ValidationFailed::new);
        }
        return new CancelReplayResult.ReplayCancelled(input.processor());
    }
}
