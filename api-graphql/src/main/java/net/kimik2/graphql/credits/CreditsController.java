package net.kimik2.graphql.credits;

import net.kimik2.api.credits.CreditLedgerId;
import net.kimik2.api.credits.FindCreditLedgerQuery;
import net.kimik2.api.credits.GrantCreditsCommand;
import net.kimik2.api.credits.GrantType;
import net.kimik2.graphql.credits.GrantCreditsResult.CreditsGranted;
import net.kimik2.graphql.credits.GrantCreditsResult.ValidationFailed;
import net.kimik2.graphql.platform.schema.DomainErrors;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import net.kimik2.api.credits.LedgerEntryView;
import net.kimik2.api.credits.LedgerPage;
import net.kimik2.api.platform.PageRequest;
import net.kimik2.graphql.platform.schema.Connections.Connection;
import net.kimik2.graphql.platform.schema.Connections.Edge;
import net.kimik2.graphql.platform.schema.Connections.PageInfo;
import net.kimik2.graphql.platform.security.Caller;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

@Controller
class CreditsController {

    private final CommandGateway commands;
    private final QueryGateway queries;

    CreditsController(CommandGateway commands, QueryGateway queries) {
        this.commands = commands;
        this.queries = queries;
    }

    record GrantCreditsInput(String userId, Long amount, String reason, String idempotencyKey) {
    }

    @MutationMapping
    GrantCreditsResult grantCredits(@Argument GrantCreditsInput input) {
        Caller.requireAdmin();
        // a reason code, not free text: the ledger keeps it for good, so it must never hold personal data
        if (input.reason() == null || !input.reason().matches("[a-z0-9_-]{1,40}")) {
            return new ValidationFailed("reason", "reason must be a code of 1 to 40 of [a-z0-9_-], e.g. goodwill");
        }
        if (input.idempotencyKey() == null || !input.idempotencyKey().matches("[A-Za-z0-9_.:-]{1,64}")) {
            return new ValidationFailed("idempotencyKey", "idempotencyKey must be 1 to 64 of [A-Za-z0-9_.:-]");
        }
        String grantId = "admin-" + input.idempotencyKey();
        var command = new GrantCreditsCommand(CreditLedgerId.forUser(input.userId()), grantId,
                input.amount() == null ? 0 : input.amount(), GrantType.PROMOTIONAL, "admin:" + input.reason(),
                null, 0);
        try {
            commands.sendAndWait(GenericCommandMessage.asCommandMessage(command).withMetaData(Caller.metadata()));
        } catch (AggregateNotFoundException e) {
            return new ValidationFailed("userId", "no ledger for this user id");
        } catch (RuntimeException e) {
            return DomainErrors.validationFailedOrRethrow(e, ValidationFailed::new);
        }
        return new CreditsGranted(grantId);
    }

    @QueryMapping
    Connection<LedgerEntryView> creditLedger(@Argument Integer first, @Argument String after) {
        String userId = Caller.required().userId();
        LedgerPage page = queries.query(new FindCreditLedgerQuery(userId, PageRequest.of(first, after)),
                ResponseTypes.instanceOf(LedgerPage.class)).join();
        return new Connection<>(page.entries().stream().map(e -> new Edge<>(e, e.cursor())).toList(),
                new PageInfo(page.hasNextPage(), page.endCursor()));
    }
}
