package net.kimik2.graphql.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.spec.SecretKeySpec;
import net.kimik2.api.accounts.ActiveSession;
import net.kimik2.api.accounts.FindActiveSessionQuery;
import net.kimik2.api.accounts.Role;
import net.kimik2.graphql.TestQueryGateway;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketGraphQlRequest;
import org.springframework.graphql.server.WebSocketSessionInfo;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.util.LinkedMultiValueMap;
import reactor.core.publisher.Mono;

/** graphql-ws: connection_init refuses a bad token; every operation runs as the socket's caller, if any. */
class WebSocketAuthenticationTest {

    private final TokenService tokens = new TokenService(new SecretKeySpec(new byte[32], "HmacSHA256"));
    private final TestQueryGateway queries = new TestQueryGateway();
    private final WebSocketAuthentication authentication = new WebSocketAuthentication(tokens, queries);
    private final Session session = new Session();

    @Test
    void aBearerTokenOfALiveSessionInConnectionInitAuthenticatesTheOperations() {
        String token = liveSession();

        assertThat(authentication.handleConnectionInitialization(session, Map.of("Authorization", "Bearer " + token))
                .blockOptional()).isEmpty();

        assertThat(callerOfAnOperation()).contains(new CallerPrincipal("user-1", Role.USER, "session-1"));
    }

    @Test
    void theAuthorizationKeyOfConnectionInitIsCaseInsensitive() {
        String token = liveSession();
        authentication.handleConnectionInitialization(session, Map.of("authorization", "bearer " + token)).block();

        assertThat(callerOfAnOperation()).contains(new CallerPrincipal("user-1", Role.USER, "session-1"));
    }

    @Test
    void aBadTokenInConnectionInitRefusesTheConnection() {
        queries.on(FindActiveSessionQuery.class, q -> Optional.empty());
        String ended = tokens.issue("session-1", Instant.now().plus(1, ChronoUnit.HOURS));

        for (Object offered : new Object[] {"Bearer v1.forged.token", "Bearer " + ended, "Basic dXNlcjpwYXNz",
                "Bearer ", 42}) {
            assertThatThrownBy(() -> authentication.handleConnectionInitialization(session,
                    Map.of("Authorization", offered)).block())
                    .isInstanceOf(BadCredentialsException.class);
        }
    }

    @Test
    void theSessionCookieOfTheUpgradeRequestAuthenticatesWhenConnectionInitHasNoToken() {
        String token = liveSession();
        session.headers.add(HttpHeaders.COOKIE, "theme=dark; " + TokenAuthenticationFilter.COOKIE + "=" + token);

        authentication.handleConnectionInitialization(session, Map.of()).block();

        assertThat(callerOfAnOperation()).contains(new CallerPrincipal("user-1", Role.USER, "session-1"));
    }

    @Test
    void withoutATokenTheOperationsRunAnonymous() {
        authentication.handleConnectionInitialization(session, null).block();

        assertThat(callerOfAnOperation()).isEmpty();
        assertThat(queries.asked()).isEmpty();
    }

    @Test
    void anOperationAfterTheSessionEndedRunsAnonymous() {
        String token = liveSession();
        authentication.handleConnectionInitialization(session, Map.of("Authorization", "Bearer " + token)).block();
        queries.on(FindActiveSessionQuery.class, q -> Optional.empty()); // logged out meanwhile

        assertThat(callerOfAnOperation()).isEmpty();
    }

    private String liveSession() {
        Instant expiresAt = Instant.now().plus(1, ChronoUnit.HOURS);
        queries.on(FindActiveSessionQuery.class, q -> Optional.of(new ActiveSession(q.sessionId(), "user-1",
                Role.USER, expiresAt)));
        return tokens.issue("session-1", expiresAt);
    }

    /** The caller in the SecurityContext that the interceptor gives an operation on this socket. */
    private Optional<CallerPrincipal> callerOfAnOperation() {
        var request = new WebSocketGraphQlRequest(session.getUri(), new HttpHeaders(), new LinkedMultiValueMap<>(),
                null, Map.of(), Map.of("query", "{ ping }"), "1", null, session);
        AtomicReference<Optional<CallerPrincipal>> seen = new AtomicReference<>(Optional.empty());
        authentication.intercept(request, next -> Mono.deferContextual(context -> {
            SecurityContext security = context.get(SecurityContext.class.getName());
            seen.set(security.getAuthentication() != null
                    && security.getAuthentication().getPrincipal() instanceof CallerPrincipal p
                    ? Optional.of(p) : Optional.empty());
            return Mono.<WebGraphQlResponse>empty();
        })).block();
        return seen.get();
    }

    private static final class Session implements WebSocketSessionInfo {

        private final Map<String, Object> attributes = new HashMap<>();
        private final HttpHeaders headers = new HttpHeaders();

        @Override
        public String getId() {
            return "socket-1";
        }

        @Override
        public Map<String, Object> getAttributes() {
            return attributes;
        }

        @Override
        public URI getUri() {
            return URI.create("ws://localhost/graphql");
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public Mono<Principal> getPrincipal() {
            return Mono.empty();
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return null;
        }
    }
}
