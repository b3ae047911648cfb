package net.kimik2.graphql.credits;

import net.kimik2.api.credits.FindCreditLedgerQuery;
import net.kimik2.api.credits.LedgerEntryView;
import net.kimik2.api.credits.LedgerPage;
import net.kimik2.api.platform.PageRequest;
import net.kimik2.graphql.platform.Caller;
import net.kimik2.graphql.platform.Connections.Connection;
import net.kimik2.graphql.platform.Connections.Edge;
import net.kimik2.graphql.platform.Connections.PageInfo;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

@Controller
class CreditsController {

    private final QueryGateway queries;

    CreditsController(QueryGateway queries) {
        this.queries = queries;
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
