package net.kimik2.graphql.platform.security;

import graphql.GraphQLContext;
import java.time.Duration;
import java.time.Instant;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Sets or clears the HttpOnly, SameSite=Lax session cookie on the HTTP response of a {@code login} or
 * {@code logout} (resolvers cannot touch HTTP headers; they leave the cookie in the GraphQL context).
 */
@Component
public class SessionCookies implements WebGraphQlInterceptor {

    private static final String KEY = SessionCookies.class.getName();

    private final boolean secure;

    SessionCookies(@Value("${kimi.session.cookie-secure:false}") boolean secure) {
        this.secure = secure;
    }

    public void set(GraphQLContext context, String token, Instant expiresAt) {
        context.put(KEY, cookie(token, Duration.between(Instant.now(), expiresAt)));
    }

    public void clear(GraphQLContext context) {
        context.put(KEY, cookie("", Duration.ZERO));
    }

    private ResponseCookie cookie(String value, Duration maxAge) {
        return ResponseCookie.from(TokenAuthenticationFilter.COOKIE, value)
                .httpOnly(true).secure(secure).sameSite("Lax").path("/").maxAge(maxAge).build();
    }

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        return chain.next(request).doOnNext(response -> {
            Object cookie = response.getExecutionInput().getGraphQLContext().get(KEY);
            if (cookie instanceof ResponseCookie c) {
                response.getResponseHeaders().add(HttpHeaders.SET_COOKIE, c.toString());
            }
        });
    }
}
