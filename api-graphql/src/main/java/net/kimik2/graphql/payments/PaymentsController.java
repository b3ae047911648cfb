package net.kimik2.graphql.payments;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import net.kimik2.api.payments.BillingEntryView;
import net.kimik2.api.payments.BillingPage;
import net.kimik2.api.payments.CancelSubscriptionCommand;
import net.kimik2.api.payments.FindBillingHistoryQuery;
import net.kimik2.api.payments.FindPaymentDeadLettersQuery;
import net.kimik2.api.payments.PaymentDeadLetterView;
import net.kimik2.api.payments.PaymentsReconciliation;
import net.kimik2.api.payments.ReconcilePaymentsQuery;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.payments.RetryPaymentDeadLettersCommand;
import net.kimik2.api.platform.PageRequest;
import net.kimik2.graphql.platform.schema.Connections.Connection;
import net.kimik2.graphql.platform.schema.Connections.Edge;
import net.kimik2.graphql.platform.schema.Connections.PageInfo;
import net.kimik2.api.payments.CheckoutOutcome;
import net.kimik2.api.payments.CreditPackView;
import net.kimik2.api.payments.FindCreditPacksQuery;
import net.kimik2.api.payments.FindPlansQuery;
import net.kimik2.api.payments.PaymentIds;
import net.kimik2.api.payments.PaymentKind;
import net.kimik2.api.payments.PlanView;
import net.kimik2.api.payments.StartCheckoutCommand;
import net.kimik2.graphql.payments.StartCheckoutResult.CheckoutStarted;
import net.kimik2.graphql.payments.StartCheckoutResult.PaymentsUnavailable;
import net.kimik2.graphql.payments.StartCheckoutResult.ValidationFailed;
import net.kimik2.graphql.platform.schema.DomainErrors;
import net.kimik2.graphql.platform.security.Caller;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

@Controller
class PaymentsController {

    private static final Logger log = LoggerFactory.getLogger(PaymentsController.class);

    private final CommandGateway commands;
    private final QueryGateway queries;

    PaymentsController(CommandGateway commands, QueryGateway queries) {
        this.commands = commands;
        this.queries = queries;
    }

    record StartCheckoutInput(String packId) {
    }

    record StartSubscriptionInput(String planId) {
    }

    @QueryMapping
    List<CreditPackView> creditPacks() {
        return queries.query(new FindCreditPacksQuery(), ResponseTypes.multipleInstancesOf(CreditPackView.class))
                .join();
    }

    @QueryMapping
    List<PlanView> plans() {
        return queries.query(new FindPlansQuery(), ResponseTypes.multipleInstancesOf(PlanView.class)).join();
    }

    @QueryMapping
    Connection<BillingEntryView> billingHistory(@Argument Integer first, @Argument String after) {
        String userId = Caller.required().userId();
        BillingPage page = queries.query(new FindBillingHistoryQuery(userId, PageRequest.of(first, after)),
                ResponseTypes.instanceOf(BillingPage.class)).join();
        return new Connection<>(page.entries().stream().map(e -> new Edge<>(e, e.cursor())).toList(),
                new PageInfo(page.hasNextPage(), page.endCursor()));
    }

    @QueryMapping
    List<PaymentDeadLetterView> paymentDeadLetters() {
        Caller.requireAdmin();
        return queries.query(new FindPaymentDeadLettersQuery(),
                ResponseTypes.multipleInstancesOf(PaymentDeadLetterView.class)).join();
    }

    @QueryMapping
    PaymentsReconciliation paymentsReconciliation(@Argument String day) {
        Caller.requireAdmin();
        LocalDate date;
        try {
            date = LocalDate.parse(day);
        } catch (DateTimeParseException e) {
            throw DomainException.validation("day", "day must be a date YYYY-MM-DD");
        }
        return queries.query(new ReconcilePaymentsQuery(date), ResponseTypes.instanceOf(PaymentsReconciliation.class))
                .join();
    }

    @MutationMapping
    int retryPaymentDeadLetters(@Argument String eventId) {
        Caller.requireAdmin();
        Integer retried = commands.sendAndWait(GenericCommandMessage.asCommandMessage(
                new RetryPaymentDeadLettersCommand(eventId)).withMetaData(Caller.metadata()));
        return retried == null ? 0 : retried;
    }

    @MutationMapping
    StartCheckoutResult startCheckout(@Argument StartCheckoutInput input) {
        return start(PaymentKind.PACK, input.packId(), "packId");
    }

    @MutationMapping
    StartCheckoutResult startSubscription(@Argument StartSubscriptionInput input) {
        return start(PaymentKind.PERIOD, input.planId(), "planId");
    }

    @MutationMapping
    boolean cancelSubscription() {
        String userId = Caller.required().userId();
        Boolean cancelled = commands.sendAndWait(GenericCommandMessage.asCommandMessage(
                new CancelSubscriptionCommand(PaymentIds.billingAccount(userId))).withMetaData(Caller.metadata()));
        return Boolean.TRUE.equals(cancelled);
    }

    private StartCheckoutResult start(PaymentKind kind, String itemId, String field) {
        String userId = Caller.required().userId();
        if (itemId == null || !itemId.matches("[A-Za-z0-9_.-]{1,64}")) {
            return new ValidationFailed(field, field + " must be 1 to 64 of [A-Za-z0-9_.-]");
        }
        // a fresh key per request: Stripe's client retries of this call reuse it, a second click makes a new session
        var command = new StartCheckoutCommand(PaymentIds.billingAccount(userId), userId, kind, itemId,
                UUID.randomUUID().toString());
        CheckoutOutcome outcome;
        try {
            outcome = commands.sendAndWait(GenericCommandMessage.asCommandMessage(command)
                    .withMetaData(Caller.metadata()));
        } catch (RuntimeException e) {
            var error = DomainErrors.of(e);
            if (error.isPresent()) {
                // validation (unknown item, a plan already active) answers in the union; others (BUSY) as errors
                return DomainErrors.validationFailedOrRethrow(e, ValidationFailed::new);
            }
            log.warn("starting a checkout failed: {}", e.getClass().getSimpleName());
            return new PaymentsUnavailable("the payment provider could not be reached; try again later");
        }
        if (outcome instanceof CheckoutOutcome.SessionCreated created) {
            return new CheckoutStarted(created.checkoutUrl(), created.sessionId());
        }
        return new PaymentsUnavailable("payments are not configured on this service");
    }
}
