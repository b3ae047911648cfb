package net.kimik2.graphql.platform.schema;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * {@code KIMI_GRAPHIQL_ENABLED=false} turns it off. Served with a Content-Security-Policy (issue 14): scripts only
 * from the page itself (its inline scripts by their SHA-256) and the pinned GraphiQL CDN, requests only to this
 * service, no framing.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "kimi.graphiql.enabled", havingValue = "true", matchIfMissing = true)
class GraphiQlPage {

    static final String CDN = "https://esm.sh";
    private static final Pattern INLINE_SCRIPT = Pattern.compile("<script[^>]*>(.*?)</script>", Pattern.DOTALL);

    @Bean
    RouterFunction<ServerResponse> graphiQlRoute() throws IOException {
        ClassPathResource page = new ClassPathResource("graphiql/index.html");
        String policy = contentSecurityPolicy(page.getContentAsString(StandardCharsets.UTF_8));
        return RouterFunctions.route()
                .GET("/graphiql", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                        .header("Content-Security-Policy", policy)
                        .header("X-Content-Type-Options", "nosniff")
                        .header("Referrer-Policy", "no-referrer")
                        .body(page))
                .build();
    }

    static String contentSecurityPolicy(String html) {
        List<String> hashes = new ArrayList<>();
        Matcher m = INLINE_SCRIPT.matcher(html);
        while (m.find()) {
            if (!m.group(1).isBlank()) {
                hashes.add("'sha256-" + sha256(m.group(1)) + "'");
            }
        }
        return "default-src 'none'; script-src " + String.join(" ", hashes) + " " + CDN
                + "; style-src 'unsafe-inline' " + CDN + "; font-src " + CDN + " data:; img-src 'self' data:; "
                + "connect-src 'self' " + CDN + "; worker-src blob:; frame-ancestors 'none'; base-uri 'none'; "
                + "form-action 'none'";
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
