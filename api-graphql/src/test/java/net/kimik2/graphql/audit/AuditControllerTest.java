package net.kimik2.graphql.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.kimik2.api.accounts.AccountView;
import net.kimik2.api.accounts.FindAccountQuery;
import net.kimik2.api.accounts.FindUserIdByEmailQuery;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.audit.AdminAccessEntry;
import net.kimik2.api.audit.AdminAccessPage;
import net.kimik2.api.audit.AuditTrail;
import net.kimik2.api.audit.CancelReplayCommand;
import net.kimik2.api.audit.FindAdminAccessLogQuery;
import net.kimik2.api.audit.AuditTrailEntry;
import net.kimik2.api.audit.FindAuditTrailQuery;
import net.kimik2.api.audit.FindViewProcessorsQuery;
import net.kimik2.api.audit.RecordAdminAccessCommand;
import net.kimik2.api.audit.ReplayViewsCommand;
import net.kimik2.api.audit.ViewProcessorStatus;
import net.kimik2.api.audit.ViewProcessors;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.graphql.ControllerTest;
import org.junit.jupiter.api.Test;

class AuditControllerTest extends ControllerTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    @Test
    void viewProcessorsListsEveryProcessorsStatusForAnAdmin() {
        signInAsAdmin();
        queries.on(FindViewProcessorsQuery.class, q -> new ViewProcessors(List.of(
                new ViewProcessorStatus("accounts", true, false, true, 41L, 41L, null),
                new ViewProcessorStatus("credits", true, true, false, null, 41L, "stalled"))));

        graphQlTester.documentName("viewProcessors").execute()
                .path("viewProcessors[*].name").entityList(String.class).containsExactly("accounts", "credits")
                .path("viewProcessors[0].running").entity(Boolean.class).isEqualTo(true)
                .path("viewProcessors[0].caughtUp").entity(Boolean.class).isEqualTo(true)
                .path("viewProcessors[0].position").entity(Long.class).isEqualTo(41L)
                .path("viewProcessors[0].error").valueIsNull()
                .path("viewProcessors[1].replaying").entity(Boolean.class).isEqualTo(true)
                .path("viewProcessors[1].position").valueIsNull()
                .path("viewProcessors[1].headPosition").entity(Long.class).isEqualTo(41L)
                .path("viewProcessors[1].error").entity(String.class).isEqualTo("stalled");
    }

    @Test
    void viewProcessorsIsForAdminsOnly() {
        signInAsUser();
        onlyError(graphQlTester.documentName("viewProcessors").execute(), "FORBIDDEN", "viewProcessors");
        assertThat(queries.asked()).isEmpty();
    }

    @Test
    void viewProcessorsNeedsACaller() {
        onlyError(graphQlTester.documentName("viewProcessors").execute(), "UNAUTHENTICATED", "viewProcessors");
    }

    @Test
    void auditTrailIsThePageOfStoredEventsOfOneAggregate() {
        signInAsAdmin();
        queries.on(FindAuditTrailQuery.class, q -> new AuditTrail(q.aggregateId(), List.of(
                new AuditTrailEntry(0L, "AccountRegisteredEvent", "1", T0, "user-2", "{\"email\":\"[erased]\"}")),
                true));

        commands.on(RecordAdminAccessCommand.class, c -> "access-1");
        graphQlTester.documentName("auditTrail").variable("aggregateId", "user-2").variable("reason", "complaint 7")
                .execute()
                .path("auditTrail.aggregateId").entity(String.class).isEqualTo("user-2")
                .path("auditTrail.events[0].sequence").entity(Long.class).isEqualTo(0L)
                .path("auditTrail.events[0].type").entity(String.class).isEqualTo("AccountRegisteredEvent")
                .path("auditTrail.events[0].revision").entity(String.class).isEqualTo("1")
                .path("auditTrail.events[0].timestamp").entity(String.class).isEqualTo("2026-11-28T10:00:00Z")
                .path("auditTrail.events[0].actorId").entity(String.class).isEqualTo("user-2")
                .path("auditTrail.events[0].payloadJson").entity(String.class).isEqualTo("{\"email\":\"[erased]\"}")
                .path("auditTrail.hasNextPage").entity(Boolean.class).isEqualTo(true);
        assertThat(queries.askedOne(FindAuditTrailQuery.class)).isEqualTo(new FindAuditTrailQuery("user-2", 100, -1));
        assertThat(commands.sentOne(RecordAdminAccessCommand.class))
                .isEqualTo(new RecordAdminAccessCommand("user-2", "auditTrail", "complaint 7"));
    }

    @Test
    void auditTrailNeedsAReasonAndReadsNothingWithoutOne() {
        signInAsAdmin();
        onlyError(graphQlTester.documentName("auditTrail").variable("aggregateId", "user-2").variable("reason", " ")
                .execute(), "VALIDATION_FAILED", "auditTrail");
        assertThat(queries.asked()).isEmpty();
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void auditTrailPassesThePageArguments() {
        signInAsAdmin();
        queries.on(FindAuditTrailQuery.class, q -> new AuditTrail(q.aggregateId(), List.of(), false));

        commands.on(RecordAdminAccessCommand.class, c -> "access-1");
        graphQlTester.documentName("auditTrail").variable("aggregateId", "ledger-user-2").variable("reason", "audit")
                .variable("first", 5)
                .variable("afterSequence", 9_000_000_000L).execute()
                .path("auditTrail.events").entityList(Object.class).hasSize(0);
        assertThat(queries.askedOne(FindAuditTrailQuery.class))
                .isEqualTo(new FindAuditTrailQuery("ledger-user-2", 5, 9_000_000_000L));
        // a ledger's trail is a read of its owner's data
        assertThat(commands.sentOne(RecordAdminAccessCommand.class).subjectId()).isEqualTo("user-2");
    }

    @Test
    void auditTrailRefusesALongThatIsNotA64BitInteger() {
        signInAsAdmin();

        graphQlTester.documentName("auditTrail").variable("aggregateId", "user-2").variable("reason", "audit")
                .variable("afterSequence", new java.math.BigInteger("9223372036854775808")).execute()
                .errors().satisfy(errors -> assertThat(errors).singleElement()
                        .satisfies(e -> assertThat(e.getMessage()).contains("afterSequence")));
        assertThat(queries.asked()).isEmpty();
    }

    @Test
    void auditTrailIsForAdminsOnly() {
        signInAsUser();
        onlyError(graphQlTester.documentName("auditTrail").variable("aggregateId", "user-2").variable("reason", "x")
                        .execute(),
                "FORBIDDEN", "auditTrail");
    }

    @Test
    void replayViewsAnswersReplayStartedWithTheProcessorsAndTheTime() {
        signInAsAdmin();
        commands.on(ReplayViewsCommand.class, c -> null);
        Instant before = Instant.now();

        var response = graphQlTester.documentName("replayViews")
                .variable("input", Map.of("processors", List.of("accounts", "credits"))).execute();

        response.path("replayViews.__typename").entity(String.class).isEqualTo("ReplayStarted")
                .path("replayViews.processors").entityList(String.class).containsExactly("accounts", "credits");
        Instant startedAt = Instant.parse(response.path("replayViews.startedAt").entity(String.class).get());
        assertThat(startedAt).isBetween(before, Instant.now());
        assertThat(commands.sentOne(ReplayViewsCommand.class).processors()).containsExactly("accounts", "credits");
    }

    @Test
    void replayViewsAnswersValidationFailedForAnUnknownProcessor() {
        signInAsAdmin();
        commands.on(ReplayViewsCommand.class, c -> {
            throw commandFailure(ErrorCode.VALIDATION_FAILED, "processors", "unknown processor: nope");
        });

        graphQlTester.documentName("replayViews").variable("input", Map.of("processors", List.of("nope"))).execute()
                .path("replayViews.__typename").entity(String.class).isEqualTo("ValidationFailed")
                .path("replayViews.field").entity(String.class).isEqualTo("processors")
                .path("replayViews.message").entity(String.class).isEqualTo("unknown processor: nope");
    }

    @Test
    void replayViewsIsForAdminsOnly() {
        signInAsUser();
        onlyError(graphQlTester.documentName("replayViews").variable("input", Map.of("processors", List.of("a")))
                .execute(), "FORBIDDEN", "replayViews");
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void replayViewsNeedsACaller() {
        onlyError(graphQlTester.documentName("replayViews").variable("input", Map.of("processors", List.of("a")))
                .execute(), "UNAUTHENTICATED", "replayViews");
    }

    @Test
    void replayViewsHidesAnUnexpectedFailure() {
        signInAsAdmin();
        commands.on(ReplayViewsCommand.class, c -> {
            throw new IllegalStateException("token store at /var/lib/kimi locked");
        });

        onlyInternalError(graphQlTester.documentName("replayViews")
                .variable("input", Map.of("processors", List.of("accounts"))).execute(), "replayViews", "/var/lib");
    }

    @Test
    void personFindsAnEmailThroughItsKeyedHashAndRecordsTheReadWithoutTheEmail() {
        signInAsAdmin();
        queries.on(FindUserIdByEmailQuery.class, q -> Optional.of("user-9"));
        queries.on(FindAccountQuery.class, q -> Optional.of(new AccountView(q.userId(), "ada", "Ada", "ada@example.org",
                Role.USER, T0)));
        commands.on(RecordAdminAccessCommand.class, c -> "access-1");

        graphQlTester.documentName("person").variable("email", "ada@example.org").variable("reason", "ticket 7")
                .execute().path("person.id").entity(String.class).isEqualTo("user-9")
                .path("person.email").entity(String.class).isEqualTo("ada@example.org");
        RecordAdminAccessCommand recorded = commands.sentOne(RecordAdminAccessCommand.class);
        assertThat(recorded).isEqualTo(new RecordAdminAccessCommand("user-9", "person:byEmail", "ticket 7"));
        assertThat(recorded.toString()).doesNotContain("ada@example.org");
    }

    @Test
    void personNeedsAReasonAndExactlyOneOfUserIdAndEmail() {
        signInAsAdmin();
        onlyError(graphQlTester.documentName("person").variable("userId", "user-9").variable("reason", "").execute(),
                "VALIDATION_FAILED", "person");
        onlyError(graphQlTester.documentName("person").variable("userId", "user-9").variable("email", "a@b.org")
                .variable("reason", "x").execute(), "VALIDATION_FAILED", "person");
        assertThat(commands.sent()).isEmpty();
        signInAsUser();
        onlyError(graphQlTester.documentName("person").variable("userId", "user-9").variable("reason", "x").execute(),
                "FORBIDDEN", "person");
    }

    @Test
    void adminAccessLogIsARelayConnectionForAdmins() {
        signInAsAdmin();
        queries.on(FindAdminAccessLogQuery.class, q -> new AdminAccessPage(List.of(new AdminAccessEntry("a-1",
                "admin-1", "user-2", "auditTrail", "ticket 7", T0, "c-1")), true, "c-1"));
        graphQlTester.documentName("adminAccessLog").variable("subjectId", "user-2").variable("first", 1).execute()
                .path("adminAccessLog.edges[0].node.what").entity(String.class).isEqualTo("auditTrail")
                .path("adminAccessLog.edges[0].node.reason").entity(String.class).isEqualTo("ticket 7")
                .path("adminAccessLog.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(true);
        assertThat(queries.askedOne(FindAdminAccessLogQuery.class).subjectId()).isEqualTo("user-2");
        signInAsUser();
        onlyError(graphQlTester.documentName("adminAccessLog").execute(), "FORBIDDEN", "adminAccessLog");
    }

    @Test
    void cancelReplayAnswersReplayCancelledOrValidationFailed() {
        signInAsAdmin();
        commands.on(CancelReplayCommand.class, c -> null);
        graphQlTester.documentName("cancelReplay").variable("input", Map.of("processor", "accounts")).execute()
                .path("cancelReplay.__typename").entity(String.class).isEqualTo("ReplayCancelled")
                .path("cancelReplay.processor").entity(String.class).isEqualTo("accounts");
        commands.reset();
        commands.on(CancelReplayCommand.class, c -> {
            throw net.kimik2.api.platform.DomainException.validation("processor", "no replay of this view is running");
        });
        graphQlTester.documentName("cancelReplay").variable("input", Map.of("processor", "accounts")).execute()
                .path("cancelReplay.__typename").entity(String.class).isEqualTo("ValidationFailed");
    }
}
