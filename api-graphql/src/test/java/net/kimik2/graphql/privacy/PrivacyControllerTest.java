package net.kimik2.graphql.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.audit.RecordAdminAccessCommand;
import net.kimik2.api.privacy.ErasureCertificate;
import net.kimik2.api.privacy.ErasureRequestPage;
import net.kimik2.api.privacy.ErasureRequestView;
import net.kimik2.api.privacy.FindErasureCertificateQuery;
import net.kimik2.api.privacy.FindErasureRequestsQuery;
import net.kimik2.api.privacy.FindLatestErasureRequestQuery;
import net.kimik2.api.privacy.RequestErasureCommand;
import net.kimik2.graphql.ControllerTest;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.http.HttpHeaders;

class PrivacyControllerTest extends ControllerTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    private static ErasureRequestView request(String userId, boolean adminInitiated) {
        return new ErasureRequestView("r-" + userId, userId, "REQUESTED", T0, T0.plus(30, ChronoUnit.DAYS), null,
                adminInitiated, adminInitiated ? "admin-1" : userId, "cursor-" + userId);
    }

    @Test
    void erasureRequestIsTheCallersLatestRequest() {
        signInAsUser();
        queries.on(FindLatestErasureRequestQuery.class, q -> Optional.of(request(q.userId(), false)));

        graphQlTester.documentName("erasureRequest").execute()
                .path("erasureRequest.id").entity(String.class).isEqualTo("r-" + USER_ID)
                .path("erasureRequest.status").entity(String.class).isEqualTo("REQUESTED")
                .path("erasureRequest.requestedAt").entity(String.class).isEqualTo("2026-11-28T10:00:00Z")
                .path("erasureRequest.deadline").entity(String.class).isEqualTo("2026-12-28T10:00:00Z")
                .path("erasureRequest.completedAt").valueIsNull()
                .path("erasureRequest.userId").entity(String.class).isEqualTo(USER_ID)
                .path("erasureRequest.adminInitiated").entity(Boolean.class).isEqualTo(false);
    }

    @Test
    void erasureRequestIsNullWithoutARequest() {
        signInAsUser();
        queries.on(FindLatestErasureRequestQuery.class, q -> Optional.empty());
        graphQlTester.documentName("erasureRequest").execute().path("erasureRequest").valueIsNull();
    }

    @Test
    void erasureRequestIsNullForAnAnonymousCaller() {
        graphQlTester.documentName("erasureRequest").execute().path("erasureRequest").valueIsNull();
        assertThat(queries.asked()).isEmpty();
    }

    @Test
    void erasureRequestsIsAPageOfEveryRequestForAnAdmin() {
        signInAsAdmin();
        queries.on(FindErasureRequestsQuery.class, q -> new ErasureRequestPage(
                List.of(request("user-3", true), request("user-2", false)), true, "cursor-user-2"));

        graphQlTester.documentName("erasureRequests").variable("first", 2).execute()
                .path("erasureRequests.edges[*].node.userId").entityList(String.class)
                .containsExactly("user-3", "user-2")
                .path("erasureRequests.edges[*].cursor").entityList(String.class)
                .containsExactly("cursor-user-3", "cursor-user-2")
                .path("erasureRequests.edges[0].node.adminInitiated").entity(Boolean.class).isEqualTo(true)
                .path("erasureRequests.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(true)
                .path("erasureRequests.pageInfo.endCursor").entity(String.class).isEqualTo("cursor-user-2");
        assertThat(queries.askedOne(FindErasureRequestsQuery.class).page().first()).isEqualTo(2);
    }

    @Test
    void erasureRequestsIsForAdminsOnly() {
        signInAsUser();
        onlyError(graphQlTester.documentName("erasureRequests").execute(), "FORBIDDEN", "erasureRequests");
        assertThat(queries.asked()).isEmpty();
    }

    @Test
    void erasureRequestsNeedsACaller() {
        onlyError(graphQlTester.documentName("erasureRequests").execute(), "UNAUTHENTICATED", "erasureRequests");
    }

    @Test
    void erasureCertificateIsThePiiFreeProofOfACompletedErasure() {
        signInAsAdmin();
        queries.on(FindErasureCertificateQuery.class, q -> Optional.of(new ErasureCertificate(q.requestId(), "user-2",
                List.of("user:user-2", "conversation:c-1"), List.of("0a1b2c3d4e5f6071", "8192a3b4c5d6e7f8"), 12L, 3L,
                T0, T0.plusSeconds(90), "admin-1", "GDPR Art. 17(1)(a)")));
        commands.on(RecordAdminAccessCommand.class, c -> "access-1");

        graphQlTester.documentName("erasureCertificate").variable("requestId", "r-2").execute()
                .path("erasureCertificate.requestId").entity(String.class).isEqualTo("r-2")
                .path("erasureCertificate.subjectId").entity(String.class).isEqualTo("user-2")
                .path("erasureCertificate.scopes").entityList(String.class)
                .containsExactly("user:user-2", "conversation:c-1")
                .path("erasureCertificate.keyFingerprints").entityList(String.class).hasSize(2)
                .path("erasureCertificate.eventsAffected").entity(Long.class).isEqualTo(12L)
                .path("erasureCertificate.viewDocumentsPurged").entity(Long.class).isEqualTo(3L)
                .path("erasureCertificate.completedAt").entity(String.class).isEqualTo("2026-11-28T10:01:30Z")
                .path("erasureCertificate.actorId").entity(String.class).isEqualTo("admin-1")
                .path("erasureCertificate.legalBasis").entity(String.class).isEqualTo("GDPR Art. 17(1)(a)");
        // the read goes into the admin-access log (issue 12)
        assertThat(commands.sentOne(RecordAdminAccessCommand.class))
                .isEqualTo(new RecordAdminAccessCommand("user-2", "erasureCertificate", null));
    }

    @Test
    void erasureCertificateIsNullWhileTheErasureIsNotComplete() {
        signInAsAdmin();
        queries.on(FindErasureCertificateQuery.class, q -> Optional.empty());
        graphQlTester.documentName("erasureCertificate").variable("requestId", "r-2").execute()
                .path("erasureCertificate").valueIsNull();
    }

    @Test
    void erasureCertificateIsForAdminsOnly() {
        signInAsUser();
        onlyError(graphQlTester.documentName("erasureCertificate").variable("requestId", "r-2").execute(),
                "FORBIDDEN", "erasureCertificate");
    }

    @Test
    void requestErasureAnswersErasureRequestedOnceTheViewShowsTheRequest() {
        signInAsUser();
        commands.on(RequestErasureCommand.class, c -> "r-" + c.userId());
        queries.onView(FindLatestErasureRequestQuery.class, q -> request(q.userId(), false));

        graphQlTester.documentName("requestErasure").variable("input", Map.of("confirmUsername", "ada")).execute()
                .path("requestErasure.__typename").entity(String.class).isEqualTo("ErasureRequested")
                .path("requestErasure.request.id").entity(String.class).isEqualTo("r-" + USER_ID)
                .path("requestErasure.request.userId").entity(String.class).isEqualTo(USER_ID)
                .path("requestErasure.request.adminInitiated").entity(Boolean.class).isEqualTo(false);
        assertThat(commands.sentOne(RequestErasureCommand.class))
                .isEqualTo(new RequestErasureCommand(USER_ID, "ada", false, null));
    }

    @Test
    void requestErasureClearsTheSessionCookieOnceRequested() {
        signInAsUser();
        commands.on(RequestErasureCommand.class, c -> "r-" + c.userId());
        queries.onView(FindLatestErasureRequestQuery.class, q -> request(q.userId(), false));

        WebGraphQlResponse response = overHttp("requestErasure", Map.of("input", Map.of("confirmUsername", "ada")));

        assertThat(response.getErrors()).isEmpty();
        assertThat(response.getResponseHeaders().get(HttpHeaders.SET_COOKIE)).singleElement().asString()
                .startsWith("KIMI_SESSION=;").contains("Max-Age=0");
    }

    @Test
    void requestErasureKeepsTheCookieWhenNothingWasRequested() {
        signInAsUser();
        commands.on(RequestErasureCommand.class, c -> {
            throw commandFailure(ErrorCode.VALIDATION_FAILED, "confirmUsername", "type your username to confirm");
        });

        WebGraphQlResponse response = overHttp("requestErasure", Map.of("input", Map.of("confirmUsername", "bob")));

        assertThat(response.getResponseHeaders().get(HttpHeaders.SET_COOKIE)).isNull();
    }

    @Test
    void requestErasureAnswersValidationFailedWhenTheUsernameDoesNotConfirmIt() {
        signInAsUser();
        commands.on(RequestErasureCommand.class, c -> {
            throw commandFailure(ErrorCode.VALIDATION_FAILED, "confirmUsername", "type your username to confirm");
        });

        graphQlTester.documentName("requestErasure").variable("input", Map.of("confirmUsername", "bob")).execute()
                .path("requestErasure.__typename").entity(String.class).isEqualTo("ValidationFailed")
                .path("requestErasure.field").entity(String.class).isEqualTo("confirmUsername")
                .path("requestErasure.message").entity(String.class).isEqualTo("type your username to confirm");
        assertThat(queries.asked()).isEmpty();
    }

    @Test
    void requestErasureNeedsACaller() {
        onlyError(graphQlTester.documentName("requestErasure").variable("input", Map.of("confirmUsername", "ada"))
                .execute(), "UNAUTHENTICATED", "requestErasure");
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void adminRequestErasureErasesAnotherPersonOnTheStatedLegalBasis() {
        signInAsAdmin();
        commands.on(RequestErasureCommand.class, c -> "r-" + c.userId());
        queries.onView(FindLatestErasureRequestQuery.class, q -> request(q.userId(), true));

        graphQlTester.documentName("adminRequestErasure")
                .variable("input", Map.of("userId", "user-2", "legalBasis", "GDPR Art. 17(1)(a)")).execute()
                .path("adminRequestErasure.__typename").entity(String.class).isEqualTo("ErasureRequested")
                .path("adminRequestErasure.request.userId").entity(String.class).isEqualTo("user-2")
                .path("adminRequestErasure.request.adminInitiated").entity(Boolean.class).isEqualTo(true);
        assertThat(commands.sentOne(RequestErasureCommand.class))
                .isEqualTo(new RequestErasureCommand("user-2", null, true, "GDPR Art. 17(1)(a)"));
    }

    @Test
    void adminRequestErasureAnswersValidationFailedForAnUnknownUser() {
        signInAsAdmin();
        commands.on(RequestErasureCommand.class, c -> {
            throw new AggregateNotFoundException(c.userId(), "no account");
        });

        graphQlTester.documentName("adminRequestErasure").variable("input", Map.of("userId", "nobody")).execute()
                .path("adminRequestErasure.__typename").entity(String.class).isEqualTo("ValidationFailed")
                .path("adminRequestErasure.field").entity(String.class).isEqualTo("userId")
                .path("adminRequestErasure.message").entity(String.class).isEqualTo("no account has this id");
    }

    @Test
    void adminRequestErasureIsForAdminsOnly() {
        signInAsUser();
        onlyError(graphQlTester.documentName("adminRequestErasure").variable("input", Map.of("userId", "user-2"))
                .execute(), "FORBIDDEN", "adminRequestErasure");
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void adminRequestErasureNeedsACaller() {
        onlyError(graphQlTester.documentName("adminRequestErasure").variable("input", Map.of("userId", "user-2"))
                .execute(), "UNAUTHENTICATED", "adminRequestErasure");
    }
}
