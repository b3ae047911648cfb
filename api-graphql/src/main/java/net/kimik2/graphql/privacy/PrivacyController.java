package net.kimik2.graphql.privacy;

import graphql.GraphQLContext;
import java.time.Duration;
import java.util.Optional;
import net.kimik2.api.platform.PageRequest;
import net.kimik2.api.privacy.ErasureCertificate;
import net.kimik2.api.privacy.ErasureRequestPage;
import net.kimik2.api.privacy.ErasureRequestView;
import net.kimik2.api.privacy.FindErasureCertificateQuery;
import net.kimik2.api.privacy.FindErasureRequestsQuery;
import net.kimik2.api.privacy.FindLatestErasureRequestQuery;
import net.kimik2.api.privacy.RequestErasureCommand;
import net.kimik2.graphql.platform.security.AdminReads;
import net.kimik2.graphql.platform.schema.Connections.Connection;
import net.kimik2.graphql.privacy.RequestErasureResult.ErasureRequested;
import net.kimik2.graphql.privacy.RequestErasureResult.ValidationFailed;
import net.kimik2.graphql.platform.schema.Connections.Edge;
import net.kimik2.graphql.platform.schema.Connections.PageInfo;
import net.kimik2.graphql.platform.schema.DomainErrors;
import net.kimik2.graphql.platform.schema.ViewWaiter;
import net.kimik2.graphql.platform.security.Caller;
import net.kimik2.graphql.platform.security.SessionCookies;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

@Controller
class PrivacyController {

    private final CommandGateway commands;
    private final QueryGateway queries;
    private final ViewWaiter views;
    private final SessionCookies cookies;
    private final AdminReads reads;

    PrivacyController(CommandGateway commands, QueryGateway queries, ViewWaiter views, SessionCookies cookies,
                      AdminReads reads) {
        this.reads = reads;
        this.commands = commands;
        this.queries = queries;
        this.views = views;
        this.cookies = cookies;
    }

    record RequestErasureInput(String confirmUsername) {
    }

    record AdminRequestErasureInput(String userId, String legalBasis) {
    }

    @QueryMapping
    Optional<ErasureRequestView> erasureRequest() {
        return Caller.current().flatMap(caller -> latest(caller.userId()));
    }

    @QueryMapping
    Connection<ErasureRequestView> erasureRequests(@Argument Integer first, @Argument String after) {
        Caller.requireAdmin();
        ErasureRequestPage page = queries.query(new FindErasureRequestsQuery(PageRequest.of(first, after)),
                ResponseTypes.instanceOf(ErasureRequestPage.class)).join();
        return new Connection<>(page.requests().stream().map(r -> new Edge<>(r, r.cursor())).toList(),
                new PageInfo(page.hasNextPage(), page.endCursor()));
    }

    @QueryMapping
    Optional<ErasureCertificate> erasureCertificate(@Argument String requestId) {
        Caller.requireAdmin();
        Optional<ErasureCertificate> certificate = queries.query(new FindErasureCertificateQuery(requestId),
                ResponseTypes.optionalInstanceOf(ErasureCertificate.class)).join();
        // PII-free, but still a read about a person: it goes into the admin-access log (issue 12)
        certificate.ifPresent(c -> reads.record(c.subjectId(), "erasureCertificate", null));
        return certificate;
    }

    @MutationMapping
    RequestErasureResult requestErasure(@Argument RequestErasureInput input, GraphQLContext context) {
        String userId = Caller.required().userId();
        RequestErasureResult result = request(new RequestErasureCommand(userId, input.confirmUsername(), false, null));
        if (result instanceof ErasureRequested) {
            cookies.clear(context); // the session already ended with the request
        }
        return result;
    }

    @MutationMapping
    RequestErasureResult adminRequestErasure(@Argument AdminRequestErasureInput input) {
        Caller.requireAdmin();
        return request(new RequestErasureCommand(input.userId(), null, true, input.legalBasis()));
    }

    private RequestErasureResult request(RequestErasureCommand command) {
        try {
            commands.sendAndWait(GenericCommandMessage.asCommandMessage(command).withMetaData(Caller.metadata()));
        } catch (AggregateNotFoundException e) {
            return new ValidationFailed("userId", "no account has this id");
        } catch (RuntimeException e) {
            return DomainErrors.validationFailedOrRethrow(e, ValidationFailed::new);
        }
        return new ErasureRequested(views.await(new FindLatestErasureRequestQuery(command.userId()),
                ErasureRequestView.class, Duration.ofSeconds(10)));
    }

    private Optional<ErasureRequestView> latest(String userId) {
        return queries.query(new FindLatestErasureRequestQuery(userId),
                ResponseTypes.optionalInstanceOf(ErasureRequestView.class)).join();
    }
}
