package net.kimik2.graphql.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.Cookie;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.spec.SecretKeySpec;
import net.kimik2.api.accounts.ActiveSession;
import net.kimik2.api.accounts.FindActiveSessionQuery;
import net.kimik2.api.accounts.Role;
import net.kimik2.graphql.TestQueryGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Bearer tokens and the HTTP filter that turns a token of a live session into the caller. */
class TokenAuthenticationTest {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    private final TokenService tokens = new TokenService(new SecretKeySpec(new byte[32], "HmacSHA256"));
    private final TestQueryGateway queries = new TestQueryGateway();
    private final TokenAuthenticationFilter filter = new TokenAuthenticationFilter(tokens, queries);

    @AfterEach
    void clear() {
        org.springframework.security.core.context.SecurityContextHolder.clearContext();
    }

    @Test
    void aTokenPointsToItsSessionUntilItExpires() {
        String token = tokens.issue("session-1", NOW.plusSeconds(60));

        assertThat(token).startsWith("v1.").doesNotContain("session-1");
        assertThat(tokens.verify(token, NOW)).contains("session-1");
        assertThat(tokens.verify(token, NOW.plusSeconds(60))).isEmpty();
    }

    @Test
    void aTamperedForeignOrMalformedTokenPointsNowhere() {
        String token = tokens.issue("session-1", NOW.plusSeconds(60));
        String[] parts = token.split("\\.");
        String otherPayload = tokens.issue("session-2", NOW.plusSeconds(60)).split("\\.")[1];
        TokenService foreign = new TokenService(new SecretKeySpec(new byte[] {1, 2, 3, 4}, "HmacSHA256"));

        assertThat(tokens.verify(parts[0] + "." + otherPayload + "." + parts[2], NOW)).isEmpty();
        assertThat(tokens.verify(foreign.issue("session-1", NOW.plusSeconds(60)), NOW)).isEmpty();
        assertThat(tokens.verify("v2." + parts[1] + "." + parts[2], NOW)).isEmpty();
        assertThat(tokens.verify("v1.%%%.%%%", NOW)).isEmpty();
        assertThat(tokens.verify("x".repeat(513), NOW)).isEmpty();
        assertThat(tokens.verify(null, NOW)).isEmpty();
    }

    @Test
    void aBearerTokenOfALiveSessionMakesItsAccountTheCaller() throws Exception {
        String token = liveSession("session-1", Role.ADMIN);
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.addHeader("Authorization", "Bearer " + token);

        assertThat(callerOf(request)).contains(new CallerPrincipal("user-1", Role.ADMIN, "session-1"));
    }

    @Test
    void theSessionCookieAuthenticatesLikeTheBearerHeader() throws Exception {
        String token = liveSession("session-1", Role.USER);
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setCookies(new Cookie(TokenAuthenticationFilter.COOKIE, token));

        assertThat(callerOf(request)).contains(new CallerPrincipal("user-1", Role.USER, "session-1"));
    }

    @Test
    void aTokenOfAnEndedSessionLeavesTheRequestAnonymous() throws Exception {
        String token = tokens.issue("session-1", Instant.now().plus(1, ChronoUnit.HOURS));
        queries.on(FindActiveSessionQuery.class, q -> Optional.empty());
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.addHeader("Authorization", "Bearer " + token);

        assertThat(callerOf(request)).isEmpty();
    }

    @Test
    void aForgedTokenLeavesTheRequestAnonymousWithoutAskingForTheSession() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.addHeader("Authorization", "Bearer v1.forged.token");

        assertThat(callerOf(request)).isEmpty();
        assertThat(queries.asked()).isEmpty();
    }

    private String liveSession(String sessionId, Role role) {
        Instant expiresAt = Instant.now().plus(1, ChronoUnit.HOURS);
        queries.on(FindActiveSessionQuery.class, q -> Optional.of(new ActiveSession(q.sessionId(), "user-1", role,
                expiresAt)));
        return tokens.issue(sessionId, expiresAt);
    }

    /** The caller the rest of the request sees once the filter has run. */
    private Optional<CallerPrincipal> callerOf(MockHttpServletRequest request) throws Exception {
        AtomicReference<Optional<CallerPrincipal>> seen = new AtomicReference<>();
        filter.doFilter(request, new MockHttpServletResponse(), (req, res) -> seen.set(Caller.current()));
        return seen.get();
    }
}
