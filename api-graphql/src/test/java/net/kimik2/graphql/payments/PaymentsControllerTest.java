package net.kimik2.graphql.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import net.kimik2.api.payments.BillingEntryView;
import net.kimik2.api.payments.BillingPage;
import net.kimik2.api.payments.CheckoutOutcome;
import net.kimik2.api.payments.CreditPackView;
import net.kimik2.api.payments.FindBillingHistoryQuery;
import net.kimik2.api.payments.FindCreditPacksQuery;
import net.kimik2.api.payments.FindPaymentDeadLettersQuery;
import net.kimik2.api.payments.FindPlansQuery;
import net.kimik2.api.payments.PaymentIds;
import net.kimik2.api.payments.PaymentKind;
import net.kimik2.api.payments.PlanView;
import net.kimik2.api.payments.StartCheckoutCommand;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.graphql.ControllerTest;
import org.junit.jupiter.api.Test;

class PaymentsControllerTest extends ControllerTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    @Test
    void theCatalogueListsPacksAndPlansWithoutSigningIn() {
        queries.on(FindCreditPacksQuery.class, q -> List.of(new CreditPackView("pack-5", 5_000_000, 500, "usd", null,
                T0)));
        queries.on(FindPlansQuery.class, q -> List.of(new PlanView("plan-monthly", 12_000_000, 1_000, "usd", "month",
                null, T0)));
        graphQlTester.documentName("creditPacks").execute()
                .path("creditPacks[0].id").entity(String.class).isEqualTo("pack-5")
                .path("creditPacks[0].credits").entity(Long.class).isEqualTo(5_000_000L)
                .path("creditPacks[0].priceCents").entity(Integer.class).isEqualTo(500)
                .path("plans[0].creditsPerPeriod").entity(Long.class).isEqualTo(12_000_000L)
                .path("plans[0].interval").entity(String.class).isEqualTo("month");
    }

    @Test
    void startCheckoutAnswersTheSessionToRedirectTo() {
        signInAsUser();
        commands.on(StartCheckoutCommand.class, c -> new CheckoutOutcome.SessionCreated("https://checkout/cs_1",
                "cs_1"));
        graphQlTester.documentName("startCheckout").variable("input", map("packId", "pack-5")).execute()
                .path("startCheckout.__typename").entity(String.class).isEqualTo("CheckoutStarted")
                .path("startCheckout.sessionId").entity(String.class).isEqualTo("cs_1");
        StartCheckoutCommand sent = commands.sentOne(StartCheckoutCommand.class);
        assertThat(sent.billingAccountId()).isEqualTo(PaymentIds.billingAccount(USER_ID));
        assertThat(sent.kind()).isEqualTo(PaymentKind.PACK);
        assertThat(sent.itemId()).isEqualTo("pack-5");
        assertThat(sent.requestId()).isNotBlank();
    }

    @Test
    void withoutStripeCheckoutIsATypedPaymentsUnavailable() {
        signInAsUser();
        commands.on(StartCheckoutCommand.class, c -> new CheckoutOutcome.Unavailable());
        graphQlTester.documentName("startSubscription").variable("input", map("planId", "plan-monthly")).execute()
                .path("startSubscription.__typename").entity(String.class).isEqualTo("PaymentsUnavailable")
                .path("startSubscription.message").entity(String.class).isEqualTo("payments are not configured on this service");
        assertThat(commands.sentOne(StartCheckoutCommand.class).kind()).isEqualTo(PaymentKind.PERIOD);
    }

    @Test
    void anUnknownPackIsValidationFailed() {
        signInAsUser();
        commands.on(StartCheckoutCommand.class, c -> {
            throw commandFailure(ErrorCode.VALIDATION_FAILED, "packId", "no such credit pack");
        });
        graphQlTester.documentName("startCheckout").variable("input", map("packId", "pack-404")).execute()
                .path("startCheckout.__typename").entity(String.class).isEqualTo("ValidationFailed")
                .path("startCheckout.field").entity(String.class).isEqualTo("packId");
    }

    @Test
    void aMalformedPackIdIsRefusedBeforeAnythingRuns() {
        signInAsUser();
        graphQlTester.documentName("startCheckout").variable("input", map("packId", "pack 5; drop")).execute()
                .path("startCheckout.__typename").entity(String.class).isEqualTo("ValidationFailed");
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void checkoutNeedsACaller() {
        onlyError(graphQlTester.documentName("startCheckout").variable("input", map("packId", "pack-5")).execute(),
                "UNAUTHENTICATED", "startCheckout");
    }

    @Test
    void billingHistoryIsAPageOfTheCallersEntries() {
        signInAsUser();
        queries.on(FindBillingHistoryQuery.class, q -> new BillingPage(List.of(
                new BillingEntryView("payment-pi_1", USER_ID, "purchase", 500, "usd", 5_000_000, "paid", T0, "visa", "4242",
                        "c-1")), true, "c-1"));
        graphQlTester.documentName("billingHistory").variable("first", 1).execute()
                .path("billingHistory.edges[0].node.kind").entity(String.class).isEqualTo("purchase")
                .path("billingHistory.edges[0].node.amountCents").entity(Integer.class).isEqualTo(500)
                .path("billingHistory.edges[0].node.cardLast4").entity(String.class).isEqualTo("4242")
                .path("billingHistory.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(true)
                .path("billingHistory.pageInfo.endCursor").entity(String.class).isEqualTo("c-1");
        FindBillingHistoryQuery asked = queries.askedOne(FindBillingHistoryQuery.class);
        assertThat(asked.userId()).isEqualTo(USER_ID);
        assertThat(asked.page().first()).isEqualTo(1);
    }

    @Test
    void deadLettersAreForAdminsOnly() {
        signInAsUser();
        onlyError(graphQlTester.documentName("paymentDeadLetters").execute(), "FORBIDDEN", "paymentDeadLetters");
        signInAsAdmin();
        queries.on(FindPaymentDeadLettersQuery.class, q -> List.of());
        graphQlTester.documentName("paymentDeadLetters").execute().path("paymentDeadLetters").entityList(Object.class)
                .hasSize(0);
    }
}
