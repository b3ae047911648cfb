package net.kimik2.graphql.platform.schema;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * GraphiQL with saved example operations (Spring's own page has none). On by default for the embedded default;
 * {@code KIMI_GRAPHIQL_ENABLED=false} turns it off. GraphiQL 5 is bundled into the jar ({@code src/main/graphiql},
 * issue 12), so the page loads with no network route out; its Content-Security-Policy allows only this origin.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "kimi.graphiql.enabled", havingValue = "true", matchIfMissing = true)
class GraphiQlPage {

    /** Only this origin: scripts, styles, fonts, workers and requests; React sets style attributes, hence inline styles. */
    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "font-src 'self' data:; img-src 'self' data:; connect-src 'self'; worker-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    @Bean
    RouterFunction<ServerResponse> graphiQlRoute() {
        ClassPathResource page = new ClassPathResource("graphiql/index.html");
        return RouterFunctions.route()
                .GET("/graphiql", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                        .header("Content-Security-Policy", POLICY)
                        .header("X-Content-Type-Options", "nosniff")
                        .header("Referrer-Policy", "no-referrer")
                        .body(page))
                .resources("/graphiql/assets/**", new ClassPathResource("graphiql/assets/"))
                .build();
    }
}
