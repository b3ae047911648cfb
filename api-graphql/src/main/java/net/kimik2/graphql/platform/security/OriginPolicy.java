package net.kimik2.graphql.platform.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import net.kimik2.graphql.platform.schema.HttpErrors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Cross-origin protection (ADR 0012) for what a browser sends on its own: the session cookie and WebSocket upgrades.
 *
 * <ul>
 * <li>A WebSocket upgrade whose {@code Origin} is not allowed is refused (403), with or without a cookie: the socket
 *     would otherwise run mutations as the cookie's owner from any page of the same site.</li>
 * <li>A request authenticated by the session cookie (no {@code Authorization} header) whose {@code Origin} is not
 *     allowed is refused (403).</li>
 * <li>An unsafe (non-GET/HEAD/OPTIONS) cookie-authenticated request without {@code Origin} is let through only when
 *     {@code Sec-Fetch-Site} is absent (not a browser, or an old one, which sends {@code Origin} cross-origin) or says
 *     {@code same-origin}/{@code none}. Together with the JSON-only body ({@link
 *     net.kimik2.graphql.platform.schema.GraphQlRequestGuard}), which no cross-site form can send and no cross-origin
 *     script can send without a CORS preflight this service never grants, that is the CSRF protection.</li>
 * <li>Bearer-token requests are not CSRF-prone (a page cannot make a browser add the header) and are not checked.</li>
 * </ul>
 * Allowed: the service's own origin (scheme, host and port of the request; set {@code server.forward-headers-strategy}
 * behind a proxy) and those listed in {@code kimi.security.allowed-origins}. The literal origin {@code null}
 * (sandboxed frames, file pages) is never allowed.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
public class OriginPolicy extends OncePerRequestFilter {

    private final Set<String> allowed;

    public OriginPolicy(@Value("${kimi.security.allowed-origins:}") List<String> allowedOrigins) {
        this.allowed = allowedOrigins.stream().map(String::trim).filter(s -> !s.isEmpty()).map(OriginPolicy::normalise)
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        boolean upgrade = "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE));
        if (upgrade && origin != null && !isAllowed(origin, request)) {
            HttpErrors.write(response, 403, "FORBIDDEN", "WebSocket connections from this origin are not allowed");
            return;
        }
        if (!upgrade && isCookieAuthenticated(request)) {
            if (origin != null && !isAllowed(origin, request)) {
                HttpErrors.write(response, 403, "FORBIDDEN", "cookie-authenticated requests from this origin are not allowed");
                return;
            }
            if (origin == null && isUnsafe(request.getMethod()) && !isSameSiteFetch(request)) {
                HttpErrors.write(response, 403, "FORBIDDEN",
                        "a cookie-authenticated request must come from an allowed origin");
                return;
            }
        }
        chain.doFilter(request, response);
    }

    boolean isAllowed(String origin, HttpServletRequest request) {
        if ("null".equalsIgnoreCase(origin.trim())) {
            return false;
        }
        String normalised = normalise(origin);
        return normalised.equals(ownOrigin(request)) || allowed.contains(normalised);
    }

    private static boolean isCookieAuthenticated(HttpServletRequest request) {
        if (request.getHeader(HttpHeaders.AUTHORIZATION) != null) {
            return false;
        }
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return false;
        }
        for (Cookie cookie : cookies) {
            if (TokenAuthenticationFilter.COOKIE.equals(cookie.getName()) && !cookie.getValue().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static boolean isUnsafe(String method) {
        return !("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method));
    }

    private static boolean isSameSiteFetch(HttpServletRequest request) {
        String site = request.getHeader("Sec-Fetch-Site");
        return site == null || "same-origin".equalsIgnoreCase(site) || "none".equalsIgnoreCase(site);
    }

    private static String ownOrigin(HttpServletRequest request) {
        return origin(request.getScheme(), request.getServerName(), request.getServerPort());
    }

    private static String normalise(String origin) {
        try {
            URI uri = URI.create(origin.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return origin.trim().toLowerCase(Locale.ROOT);
            }
            return origin(uri.getScheme(), uri.getHost(), uri.getPort());
        } catch (IllegalArgumentException e) {
            return origin.trim().toLowerCase(Locale.ROOT);
        }
    }

    private static String origin(String scheme, String host, int port) {
        String s = scheme.toLowerCase(Locale.ROOT);
        int effective = port >= 0 ? port : ("https".equals(s) || "wss".equals(s) ? 443 : 80);
        boolean defaultPort = ("http".equals(s) && effective == 80) || ("https".equals(s) && effective == 443);
        return s + "://" + host.toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + effective);
    }
}
