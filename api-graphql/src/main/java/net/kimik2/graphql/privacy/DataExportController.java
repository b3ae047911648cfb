package net.kimik2.graphql.privacy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import net.kimik2.api.privacy.DataExportView;
import net.kimik2.api.privacy.FindDataExportQuery;
import net.kimik2.api.privacy.FindLegalHoldsQuery;
import net.kimik2.api.privacy.FindRetentionRunsQuery;
import net.kimik2.api.privacy.LegalHoldView;
import net.kimik2.api.privacy.PlaceLegalHoldCommand;
import net.kimik2.api.privacy.ReleaseLegalHoldCommand;
import net.kimik2.api.privacy.RequestDataExportCommand;
import net.kimik2.api.privacy.RetentionRunView;
import net.kimik2.graphql.platform.security.Caller;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/** Data exports (access and portability), legal holds and retention runs (issue 13). */
@Controller
class DataExportController {

    static final String DOWNLOAD_PATH = "/privacy/exports/";

    private final CommandGateway commands;
    private final QueryGateway queries;
    DataExportController(CommandGateway commands, QueryGateway queries) {
        this.commands = commands;
        this.queries = queries;
    }

    /** An export as the schema shows it; the link only while it can be downloaded. */
    record DataExport(String id, String status, int progress, Instant requestedAt, Instant readyAt, String downloadUrl,
                      Instant expiresAt, Long sizeBytes) {

        static DataExport of(DataExportView v) {
            boolean ready = v.status().equals("READY");
            return new DataExport(v.exportId(), v.status(), v.progress(), v.requestedAt(), v.readyAt(),
                    ready ? DOWNLOAD_PATH + v.exportId() : null, v.expiresAt(), ready ? v.sizeBytes() : null);
        }
    }

    record LegalHoldInput(String userId, String reason) {
    }

    record RetentionCount(String rule, int count) {
    }

    record RetentionRun(String id, Instant ranAt, List<RetentionCount> counts, int heldPersons) {
    }

    @QueryMapping
    Optional<DataExport> dataExport(@Argument String id) {
        return Caller.current().flatMap(caller -> queries.query(new FindDataExportQuery(id, caller.userId()),
                ResponseTypes.optionalInstanceOf(DataExportView.class)).join()).map(DataExport::of);
    }

    @MutationMapping
    DataExport requestDataExport() {
        String userId = Caller.required().userId();
        String exportId = UUID.randomUUID().toString();
        commands.sendAndWait(GenericCommandMessage.asCommandMessage(new RequestDataExportCommand(userId, exportId))
                .withMetaData(Caller.metadata()));
        // the PENDING row is written in the request's transaction
        return queries.query(new FindDataExportQuery(exportId, userId),
                        ResponseTypes.optionalInstanceOf(DataExportView.class)).join().map(DataExport::of)
                .orElseThrow(() -> new IllegalStateException("export request not recorded"));
    }

    @MutationMapping
    boolean placeLegalHold(@Argument LegalHoldInput input) {
        Caller.requireAdmin();
        commands.sendAndWait(GenericCommandMessage.asCommandMessage(new PlaceLegalHoldCommand(input.userId(),
                input.reason())).withMetaData(Caller.metadata()));
        return true;
    }

    @MutationMapping
    boolean releaseLegalHold(@Argument String userId) {
        Caller.requireAdmin();
        commands.sendAndWait(GenericCommandMessage.asCommandMessage(new ReleaseLegalHoldCommand(userId))
                .withMetaData(Caller.metadata()));
        return true;
    }

    @QueryMapping
    List<RetentionRun> retentionRuns(@Argument Integer first) {
        Caller.requireAdmin();
        List<RetentionRunView> runs = queries.query(new FindRetentionRunsQuery(first == null ? 20 : first),
                ResponseTypes.multipleInstancesOf(RetentionRunView.class)).join();
        return runs.stream().map(r -> new RetentionRun(r.runId(), r.ranAt(), r.counts().entrySet().stream()
                .map(e -> new RetentionCount(e.getKey(), e.getValue())).toList(), r.heldPersons())).toList();
    }

    @QueryMapping
    List<LegalHoldView> legalHolds(@Argument Integer first) {
        Caller.requireAdmin();
        return queries.query(new FindLegalHoldsQuery(first == null ? 50 : first),
                ResponseTypes.multipleInstancesOf(LegalHoldView.class)).join();
    }
}
