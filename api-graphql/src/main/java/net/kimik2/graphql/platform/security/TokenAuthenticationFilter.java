package net.kimik2.graphql.platform.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.kimik2.api.accounts.ActiveSession;
import net.kimik2.api.accounts.FindActiveSessionQuery;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates a request from {@code Authorization: Bearer <token>} or the session cookie: the token's signature
 * and expiry are checked locally, then the session must still be live (not logged out, not erased). A missing or
 * bad token leaves the request anonymous; operations that need a caller say so themselves.
 */
public class TokenAuthenticationFilter extends OncePerRequestFilter {

    public static final String COOKIE = "KIMI_SESSION";

    private final TokenService tokens;
    private final QueryGateway queries;

    public TokenAuthenticationFilter(TokenService tokens, QueryGateway queries) {
        this.tokens = tokens;
        this.queries = queries;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        token(request).flatMap(t -> tokens.verify(t, Instant.now())).flatMap(this::session).ifPresent(session -> {
            var principal = new CallerPrincipal(session.userId(), session.role(), session.sessionId());
            var auth = new UsernamePasswordAuthenticationToken(principal, null,
                    List.of(new SimpleGrantedAuthority("ROLE_" + session.role().name())));
            SecurityContextHolder.getContext().setAuthentication(auth);
        });
        chain.doFilter(request, response);
    }

    private Optional<ActiveSession> session(String sessionId) {
        return queries.query(new FindActiveSessionQuery(sessionId), ResponseTypes.optionalInstanceOf(ActiveSession.class))
                .join();
    }

    static Optional<String> token(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(header.substring(7).trim());
        }
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie cookie : cookies) {
                if (COOKIE.equals(cookie.getName())) {
                    return Optional.of(cookie.getValue());
                }
            }
        }
        return Optional.empty();
    }
}
