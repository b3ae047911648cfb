package net.kimik2.graphql.platform.security;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.kimik2.api.accounts.ActiveSession;
import net.kimik2.api.accounts.FindActiveSessionQuery;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketGraphQlInterceptor;
import org.springframework.graphql.server.WebSocketGraphQlRequest;
import org.springframework.graphql.server.WebSocketSessionInfo;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Authenticates GraphQL over WebSocket (graphql-ws). The token comes from the {@code connection_init} payload
 * ({@code {"Authorization": "Bearer <token>"}}), else from the upgrade request (its {@code Authorization} header or
 * the session cookie), and is checked as {@link TokenAuthenticationFilter} checks it: signature and expiry locally,
 * then the session must still be live.
 *
 * <ul>
 * <li>A token in {@code connection_init} that does not check out (forged, expired, logged out, erased) refuses the
 *     connection: Spring for GraphQL closes the socket with {@code 4401 Unauthorized}, which graphql-ws clients
 *     treat as fatal (no reconnect loop) and report, so the app signs in again instead of silently going anonymous.
 *     The close carries no detail about why.</li>
 * <li>No token at all, or a stale cookie on the upgrade request, is an anonymous connection, as over HTTP.</li>
 * <li>The session is looked up again for every operation, so after {@code logout} new operations on a socket that
 *     is still open run anonymous, exactly like HTTP requests with that token. Running subscriptions are not cut.</li>
 * </ul>
 *
 * <p>Controllers see the caller through Spring for GraphQL's context propagation: every operation's Reactor context
 * gets the {@link SecurityContext} under the key of the SecurityContext {@code ThreadLocalAccessor}s, and Spring for
 * GraphQL sets it as ThreadLocal around each data fetcher (a subscription's too, while it creates its Publisher), so
 * {@link Caller#current()} works as over HTTP. This overrides whatever the upgrade request carried, which Spring would
 * otherwise replay for the socket's whole life. Operators of a returned {@code Flux} that run later on other threads
 * do not see the ThreadLocal (automatic Reactor context propagation is off): take the caller in the controller method,
 * or read the SecurityContext from the Flux's Reactor context, which carries it.
 */
@Component
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.LOWEST_PRECEDENCE - 100) // before interceptors that read the caller
class WebSocketAuthentication implements WebSocketGraphQlInterceptor {

    private static final Logger log = LoggerFactory.getLogger(WebSocketAuthentication.class);

    private static final String TOKEN_ATTRIBUTE = WebSocketAuthentication.class.getName() + ".token";
    /** The key both SecurityContext ThreadLocalAccessors (Spring Security's and Spring for GraphQL's) use. */
    private static final String SECURITY_CONTEXT_KEY = SecurityContext.class.getName();
    private static final String BEARER = "Bearer ";

    private final TokenService tokens;
    private final QueryGateway queries;

    WebSocketAuthentication(TokenService tokens, QueryGateway queries) {
        this.tokens = tokens;
        this.queries = queries;
    }

    @Override
    public Mono<Object> handleConnectionInitialization(WebSocketSessionInfo info, Map<String, Object> payload) {
        Optional<Object> offered = authorizationEntry(payload);
        if (offered.isEmpty()) {
            upgradeRequestToken(info.getHeaders()).ifPresent(token -> info.getAttributes().put(TOKEN_ATTRIBUTE, token));
            return Mono.empty();
        }
        Optional<String> token = bearerToken(offered.get());
        if (token.isEmpty()) {
            return refuse();
        }
        return authenticate(token.get()).flatMap(authentication -> {
            if (authentication.isEmpty()) {
                return refuse();
            }
            info.getAttributes().put(TOKEN_ATTRIBUTE, token.get());
            return Mono.empty();
        });
    }

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        if (!(request instanceof WebSocketGraphQlRequest webSocketRequest)) {
            return chain.next(request); // HTTP: TokenAuthenticationFilter has set the caller
        }
        Object token = webSocketRequest.getSessionInfo().getAttributes().get(TOKEN_ATTRIBUTE);
        Mono<Optional<Authentication>> authentication =
                token instanceof String t ? authenticate(t) : Mono.just(Optional.empty());
        return authentication.flatMap(found -> {
            SecurityContext context = SecurityContextHolder.createEmptyContext();
            found.ifPresent(context::setAuthentication);
            return chain.next(request).contextWrite(Context.of(SECURITY_CONTEXT_KEY, context));
        });
    }

    /** The caller of a genuine, unexpired token whose session is live; empty otherwise. */
    private Mono<Optional<Authentication>> authenticate(String token) {
        return Mono.defer(() -> tokens.verify(token, Instant.now())
                .map(sessionId -> Mono.fromFuture(() -> queries.query(new FindActiveSessionQuery(sessionId),
                                ResponseTypes.optionalInstanceOf(ActiveSession.class)))
                        .map(session -> session.map(WebSocketAuthentication::authenticationOf)))
                .orElseGet(() -> Mono.just(Optional.empty())));
    }

    private static Authentication authenticationOf(ActiveSession session) {
        var principal = new CallerPrincipal(session.userId(), session.role(), session.sessionId());
        return new UsernamePasswordAuthenticationToken(principal, null,
                List.of(new SimpleGrantedAuthority("ROLE_" + session.role().name())));
    }

    private static <T> Mono<T> refuse() {
        log.debug("graphql-ws connection refused: its connection_init token is not valid");
        // any error makes Spring for GraphQL close the socket with 4401 Unauthorized, without the message
        return Mono.error(new BadCredentialsException("invalid token"));
    }

    /** The {@code Authorization} entry of a {@code connection_init} payload; the key's case does not matter. */
    private static Optional<Object> authorizationEntry(Map<String, Object> payload) {
        if (payload == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, Object> entry : payload.entrySet()) {
            if (HttpHeaders.AUTHORIZATION.equalsIgnoreCase(entry.getKey())) {
                return Optional.of(entry.getValue() == null ? "" : entry.getValue());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> bearerToken(Object value) {
        if (value instanceof String header && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String token = header.substring(BEARER.length()).trim();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        }
        return Optional.empty();
    }

    /** As {@link TokenAuthenticationFilter}: the upgrade request's bearer header, else its session cookie. */
    private static Optional<String> upgradeRequestToken(HttpHeaders headers) {
        if (headers == null) {
            return Optional.empty();
        }
        String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            Optional<String> token = bearerToken(authorization);
            if (token.isPresent()) {
                return token;
            }
        }
        for (String cookieHeader : headers.getOrEmpty(HttpHeaders.COOKIE)) {
            for (String pair : cookieHeader.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(TokenAuthenticationFilter.COOKIE)) {
                    String value = pair.substring(eq + 1).trim();
                    if (!value.isEmpty()) {
                        return Optional.of(value);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
