package net.kimik2.graphql.platform.security;

import graphql.GraphQLContext;
import java.net.InetSocketAddress;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Puts the client's IP address (of the HTTP request or the WebSocket upgrade) into the GraphQL context, for the
 * per-IP login throttle. Behind a reverse proxy, set {@code server.forward-headers-strategy} so that it is the
 * client's and not the proxy's. Never logged.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ClientAddress implements WebGraphQlInterceptor {

    private static final String KEY = ClientAddress.class.getName();
    private static final String USER_AGENT = KEY + ".userAgent";

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        InetSocketAddress remote = request.getRemoteAddress();
        if (remote != null) {
            String ip = remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
            request.configureExecutionInput((input, builder) -> builder.graphQLContext(Map.of(KEY, ip)).build());
        }
        String userAgent = request.getHeaders().getFirst(org.springframework.http.HttpHeaders.USER_AGENT);
        if (userAgent != null) { // the login's device record (parsed, encrypted; never logged)
            request.configureExecutionInput((input, builder) -> builder.graphQLContext(Map.of(USER_AGENT, userAgent)).build());
        }
        return chain.next(request);
    }

    /** The client's IP address, or null when the request did not come over the network. */
    public static String of(GraphQLContext context) {
        return context.get(KEY);
    }

    /** The client's User-Agent header, or null. */
    public static String userAgent(GraphQLContext context) {
        return context.get(USER_AGENT);
    }
}
