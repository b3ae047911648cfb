package net.kimik2.graphql.accounts;

import graphql.execution.instrumentation.Instrumentation;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.parameters.InstrumentationFieldFetchParameters;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLNamedType;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;
import graphql.schema.GraphQLUnionType;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.kimik2.api.accounts.FindPolicyStatusQuery;
import net.kimik2.api.accounts.PolicyStatusView;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.graphql.platform.security.Caller;
import net.kimik2.graphql.platform.security.CallerPrincipal;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Holds back mutations while a newer privacy policy is in effect and not accepted (ADR 0021). Per request that may
 * hold a mutation, the caller's policy status is looked up once (an interceptor, after authentication, over HTTP
 * and WebSocket alike); then every mutation field except the exempt ones answers {@code PolicyAcceptanceRequired}
 * when its result union has that member, else an error with {@code extensions.code POLICY_ACCEPTANCE_REQUIRED}.
 * One place for every capability's mutations, present and future, instead of a check in each controller.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class PolicyGate implements WebGraphQlInterceptor, Instrumentation {

    /** Mutations that stay open: accepting, and the rights that must never wait (export, erasure), and signing in/out. */
    static final Set<String> EXEMPT = Set.of("acceptPolicy", "requestDataExport", "requestErasure",
            "adminRequestErasure", "login", "logout", "register");
    private static final String KEY = PolicyGate.class.getName();
    private static final String SECURITY_CONTEXT_KEY = SecurityContext.class.getName();

    private final QueryGateway queries;

    PolicyGate(QueryGateway queries) {
        this.queries = queries;
    }

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        if (!request.getDocument().contains("mutation")) {
            return chain.next(request);
        }
        return Mono.deferContextual(context -> {
            Optional<CallerPrincipal> caller = context.<SecurityContext>getOrEmpty(SECURITY_CONTEXT_KEY)
                    .map(SecurityContext::getAuthentication)
                    .filter(a -> a.getPrincipal() instanceof CallerPrincipal)
                    .map(a -> (CallerPrincipal) a.getPrincipal())
                    .or(Caller::current);
            if (caller.isEmpty()) {
                return chain.next(request);
            }
            return Mono.fromFuture(() -> queries.query(new FindPolicyStatusQuery(caller.get().userId()),
                            ResponseTypes.instanceOf(PolicyStatusView.class)))
                    .flatMap(status -> {
                        if (status.acceptanceRequired()) {
                            request.configureExecutionInput((input, builder) ->
                                    builder.graphQLContext(Map.of(KEY, status)).build());
                        }
                        return chain.next(request);
                    });
        });
    }

    @Override
    public DataFetcher<?> instrumentDataFetcher(DataFetcher<?> dataFetcher, InstrumentationFieldFetchParameters parameters,
                                                InstrumentationState state) {
        DataFetchingEnvironment env = parameters.getEnvironment();
        PolicyStatusView status = env.getGraphQlContext().get(KEY);
        if (status == null || !"Mutation".equals(((GraphQLNamedType) env.getParentType()).getName())
                || EXEMPT.contains(env.getField().getName())) {
            return dataFetcher;
        }
        GraphQLType type = GraphQLTypeUtil.unwrapAll(env.getFieldType());
        if (type instanceof GraphQLUnionType union
                && union.getTypes().stream().anyMatch(t -> t.getName().equals("PolicyAcceptanceRequired"))) {
            return blocked -> new PolicyAcceptanceRequired(status.currentVersion(), status.effectiveFrom());
        }
        return blocked -> {
            throw new DomainException(ErrorCode.POLICY_ACCEPTANCE_REQUIRED, null,
                    "accept privacy policy " + status.currentVersion() + " first (acceptPolicy)");
        };
    }
}
