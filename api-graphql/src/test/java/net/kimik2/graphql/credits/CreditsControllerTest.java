package net.kimik2.graphql.credits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.kimik2.api.credits.CreditLedgerId;
import net.kimik2.api.credits.FindCreditLedgerQuery;
import net.kimik2.api.credits.GrantCreditsCommand;
import net.kimik2.api.credits.GrantType;
import net.kimik2.api.credits.LedgerEntryView;
import net.kimik2.api.credits.LedgerPage;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.platform.MetadataKeys;
import net.kimik2.graphql.ControllerTest;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.junit.jupiter.api.Test;

class CreditsControllerTest extends ControllerTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    private static Map<String, Object> grant(String reason, String idempotencyKey) {
        return map("userId", "user-2", "amount", 250_000L, "reason", reason, "idempotencyKey", idempotencyKey);
    }

    @Test
    void creditLedgerIsAPageOfTheCallersEntriesNewestFirst() {
        signInAsUser();
        queries.on(FindCreditLedgerQuery.class, q -> new LedgerPage(List.of(
                new LedgerEntryView("e-2", "hold", -4_096L, T0.plusSeconds(5), "prompt:p-1", "k-2"),
                new LedgerEntryView("e-1", "grant", 500_000L, T0, null, "k-1")), false, "k-1"));

        graphQlTester.documentName("creditLedger").variable("first", 10).variable("after", "k-3").execute()
                .path("creditLedger.edges[*].cursor").entityList(String.class).containsExactly("k-2", "k-1")
                .path("creditLedger.edges[0].node.id").entity(String.class).isEqualTo("e-2")
                .path("creditLedger.edges[0].node.kind").entity(String.class).isEqualTo("hold")
                .path("creditLedger.edges[0].node.amount").entity(Long.class).isEqualTo(-4_096L)
                .path("creditLedger.edges[0].node.createdAt").entity(String.class).isEqualTo("2026-11-28T10:00:05Z")
                .path("creditLedger.edges[0].node.reference").entity(String.class).isEqualTo("prompt:p-1")
                .path("creditLedger.edges[1].node.reference").valueIsNull()
                .path("creditLedger.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(false)
                .path("creditLedger.pageInfo.endCursor").entity(String.class).isEqualTo("k-1");
        FindCreditLedgerQuery asked = queries.askedOne(FindCreditLedgerQuery.class);
        assertThat(asked.userId()).isEqualTo(USER_ID);
        assertThat(asked.page().first()).isEqualTo(10);
        assertThat(asked.page().after()).isEqualTo("k-3");
    }

    @Test
    void creditLedgerRefusesAPageSizeOutOfRange() {
        signInAsUser();
        assertThat(onlyError(graphQlTester.documentName("creditLedger").variable("first", 101).execute(),
                "VALIDATION_FAILED", "creditLedger").getExtensions()).containsEntry("field", "first");
    }

    @Test
    void creditLedgerNeedsACaller() {
        onlyError(graphQlTester.documentName("creditLedger").execute(), "UNAUTHENTICATED", "creditLedger");
    }

    @Test
    void grantCreditsAddsAPromotionalGrantNamedByTheIdempotencyKey() {
        signInAsAdmin();
        commands.on(GrantCreditsCommand.class, c -> null);

        graphQlTester.documentName("grantCredits").variable("input", grant("goodwill", "ticket-42")).execute()
                .path("grantCredits.__typename").entity(String.class).isEqualTo("CreditsGranted")
                .path("grantCredits.grantId").entity(String.class).isEqualTo("admin-ticket-42");
        GrantCreditsCommand sent = commands.sentOne(GrantCreditsCommand.class);
        assertThat(sent.ledgerId()).isEqualTo(CreditLedgerId.forUser("user-2"));
        assertThat(sent.grantId()).isEqualTo("admin-ticket-42");
        assertThat(sent.amount()).isEqualTo(250_000L);
        assertThat(sent.type()).isEqualTo(GrantType.PROMOTIONAL);
        assertThat(sent.source()).isEqualTo("admin:goodwill");
        assertThat(commands.sent().get(0).getMetaData()).containsEntry(MetadataKeys.ACTOR_ID, USER_ID)
                .containsEntry(MetadataKeys.ACTOR_ROLE, "ADMIN");
    }

    @Test
    void grantCreditsAnswersValidationFailedForAReasonThatIsNotACode() {
        signInAsAdmin();

        graphQlTester.documentName("grantCredits").variable("input", grant("Goodwill for Ada!", "k-1")).execute()
                .path("grantCredits.__typename").entity(String.class).isEqualTo("ValidationFailed")
                .path("grantCredits.field").entity(String.class).isEqualTo("reason")
                .path("grantCredits.message").entity(String.class)
                .isEqualTo("reason must be a code of 1 to 40 of [a-z0-9_-], e.g. goodwill");
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void grantCreditsAnswersValidationFailedForAMalformedIdempotencyKey() {
        signInAsAdmin();

        graphQlTester.documentName("grantCredits").variable("input", grant("goodwill", "two words")).execute()
                .path("grantCredits.__typename").entity(String.class).isEqualTo("ValidationFailed")
                .path("grantCredits.field").entity(String.class).isEqualTo("idempotencyKey");
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void grantCreditsAnswersValidationFailedForAUserWithoutALedger() {
        signInAsAdmin();
        commands.on(GrantCreditsCommand.class, c -> {
            throw new AggregateNotFoundException(c.ledgerId(), "no ledger");
        });

        graphQlTester.documentName("grantCredits").variable("input", grant("goodwill", "k-1")).execute()
                .path("grantCredits.__typename").entity(String.class).isEqualTo("ValidationFailed")
                .path("grantCredits.field").entity(String.class).isEqualTo("userId")
                .path("grantCredits.message").entity(String.class).isEqualTo("no ledger for this user id");
    }

    @Test
    void grantCreditsAnswersValidationFailedForAnAmountTheLedgerRefuses() {
        signInAsAdmin();
        commands.on(GrantCreditsCommand.class, c -> {
            throw commandFailure(ErrorCode.VALIDATION_FAILED, "amount", "amount must be positive");
        });

        graphQlTester.documentName("grantCredits").variable("input", grant("goodwill", "k-1")).execute()
                .path("grantCredits.__typename").entity(String.class).isEqualTo("ValidationFailed")
                .path("grantCredits.field").entity(String.class).isEqualTo("amount");
    }

    @Test
    void grantCreditsPassesOtherDomainFailuresToTheErrorHandler() {
        signInAsAdmin();
        commands.on(GrantCreditsCommand.class, c -> {
            throw commandFailure(ErrorCode.CONFLICT, null, "the ledger changed, retry");
        });

        onlyError(graphQlTester.documentName("grantCredits").variable("input", grant("goodwill", "k-1")).execute(),
                "CONFLICT", "grantCredits");
    }

    @Test
    void grantCreditsIsForAdminsOnly() {
        signInAsUser();
        assertThat(onlyError(graphQlTester.documentName("grantCredits").variable("input", grant("goodwill", "k-1"))
                .execute(), "FORBIDDEN", "grantCredits").getMessage()).isEqualTo("this operation needs the ADMIN role");
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void grantCreditsNeedsACaller() {
        onlyError(graphQlTester.documentName("grantCredits").variable("input", grant("goodwill", "k-1")).execute(),
                "UNAUTHENTICATED", "grantCredits");
    }
}
