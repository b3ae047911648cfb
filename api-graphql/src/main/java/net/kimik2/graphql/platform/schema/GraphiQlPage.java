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
 * {@code KIMI_GRAPHIQL_ENABLED=false} turns it off.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "kimi.graphiql.enabled", havingValue = "true", matchIfMissing = true)
class GraphiQlPage {

    @Bean
    RouterFunction<ServerResponse> graphiQlRoute() {
        ClassPathResource page = new ClassPathResource("graphiql/index.html");
        return RouterFunctions.route()
                .GET("/graphiql", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).body(page))
                .build();
    }
}
