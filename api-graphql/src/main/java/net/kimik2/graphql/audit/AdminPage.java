package net.kimik2.graphql.audit;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The compliance dashboard at {@code /admin} (issue 12, ADR 0022): a static page and its script from the jar that
 * read everything through the GraphQL admin API with the session cookie, so the page holds no data and no rule of
 * its own. Only this origin may serve it anything; it may not be framed.
 */
@Configuration(proxyBeanMethods = false)
class AdminPage {

    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    @Bean
    RouterFunction<ServerResponse> adminPageRoute() {
        ClassPathResource page = new ClassPathResource("admin/index.html");
        return RouterFunctions.route()
                .GET("/admin", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                        .header("Content-Security-Policy", POLICY)
                        .header("X-Content-Type-Options", "nosniff")
                        .header("Referrer-Policy", "no-referrer")
                        .header("Cache-Control", "no-store")
                        .body(page))
                .resources("/admin/assets/**", new ClassPathResource("admin/assets/"))
                .build();
    }
}
