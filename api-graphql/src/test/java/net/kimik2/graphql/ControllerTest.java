package net.kimik2.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.graphql.platform.security.AdminReads;
import net.kimik2.graphql.platform.schema.SchemaPlumbing;
import net.kimik2.graphql.platform.security.ApiLimits;
import net.kimik2.graphql.platform.security.CallerConcurrency;
import net.kimik2.graphql.platform.security.ClientAddress;
import net.kimik2.graphql.platform.security.CredentialBulkhead;
import net.kimik2.graphql.platform.security.LoginThrottle;
import net.kimik2.graphql.platform.security.CallerPrincipal;
import net.kimik2.graphql.platform.security.SessionCookies;
import net.kimik2.graphql.platform.security.TokenService;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.queryhandling.QueryExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.graphql.GraphQlTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.graphql.ExecutionGraphQlService;
import org.springframework.graphql.ResponseError;
import org.springframework.graphql.server.WebGraphQlHandler;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.LinkedMultiValueMap;

/**
 * Controller tests over the real schema files, scalars, limits and exception handlers, with every controller of the
 * module, run through Spring for GraphQL's {@code ExecutionGraphQlService} ({@link GraphQlTester}, documents by name
 * from {@code src/test/resources/graphql-test}). Axon's gateways are the boundary: {@link TestCommandGateway} and
 * {@link TestQueryGateway} answer per message type. The caller is set as {@code TokenAuthenticationFilter} sets it: a
 * {@link CallerPrincipal} in the Spring Security context. Every test class shares one application context.
 */
@GraphQlTest
@Import(ControllerTest.Boundary.class)
public abstract class ControllerTest {

    protected static final String USER_ID = "user-1";
    protected static final String SESSION_ID = "session-1";

    @Autowired
    protected GraphQlTester graphQlTester;
    @Autowired
    protected TestCommandGateway commands;
    @Autowired
    protected TestQueryGateway queries;
    @Autowired
    private ExecutionGraphQlService graphQlService;
    @Autowired
    private SessionCookies cookies;

    @TestConfiguration(proxyBeanMethods = false)
    @Import({SchemaPlumbing.class, CallerConcurrency.class, SessionCookies.class, TokenService.class,
            LoginThrottle.class, CredentialBulkhead.class, ClientAddress.class, ApiLimits.class, AdminReads.class})
    static class Boundary {

        @Bean
        TestCommandGateway commandGateway() {
            return new TestCommandGateway();
        }

        @Bean
        TestQueryGateway queryGateway() {
            return new TestQueryGateway();
        }

        @Bean
        SecretKey tokenSigningKey() {
            return new SecretKeySpec(new byte[32], "HmacSHA256");
        }
    }

    @BeforeEach
    void resetBoundary() {
        commands.reset();
        queries.reset();
        SecurityContextHolder.clearContext();
        // asked by the policy gate before mutations and by sendPrompt: the accepted current policy, default choices
        queries.on(net.kimik2.api.accounts.FindPolicyStatusQuery.class, q -> new net.kimik2.api.accounts.PolicyStatusView(
                "2026-01", java.time.Instant.EPOCH, "https://kimi-k2.net/privacy", "2026-01", false));
        queries.on(net.kimik2.api.accounts.FindPrivacyChoicesQuery.class,
                q -> net.kimik2.api.accounts.PrivacyChoicesView.defaults(q.userId()));
    }

    @AfterEach
    void signOut() {
        SecurityContextHolder.clearContext();
    }

    protected static CallerPrincipal signIn(Role role) {
        var principal = new CallerPrincipal(USER_ID, role, SESSION_ID);
        SecurityContextHolder.getContext().setAuthentication(new UsernamePasswordAuthenticationToken(principal, null,
                List.of(new SimpleGrantedAuthority("ROLE_" + role.name()))));
        return principal;
    }

    protected static CallerPrincipal signInAsUser() {
        return signIn(Role.USER);
    }

    protected static CallerPrincipal signInAsAdmin() {
        return signIn(Role.ADMIN);
    }

    /** An expected failure as a command handler raises it across Axon's bus: the error travels as the details. */
    protected static CommandExecutionException commandFailure(ErrorCode code, String field, String message) {
        return commandFailure(new DomainError(code, field, message));
    }

    protected static CommandExecutionException commandFailure(DomainError error) {
        return new CommandExecutionException(error.message(), null, error);
    }

    protected static QueryExecutionException queryFailure(ErrorCode code, String field, String message) {
        return new QueryExecutionException(message, null, new DomainError(code, field, message));
    }

    /** The response has exactly one error, with {@code extensions.code} and the error's path. */
    protected static ResponseError onlyError(GraphQlTester.Response response, String code, String path) {
        ResponseError[] found = new ResponseError[1];
        response.errors().satisfy(errors -> {
            assertThat(errors).hasSize(1);
            found[0] = errors.get(0);
        });
        assertThat(found[0].getExtensions()).containsEntry("code", code);
        assertThat(found[0].getPath()).isEqualTo(path);
        return found[0];
    }

    /** An unexpected failure reaches the client as INTERNAL_ERROR with an error id and nothing of its own. */
    protected static void onlyInternalError(GraphQlTester.Response response, String path, String secret) {
        ResponseError error = onlyError(response, "INTERNAL_ERROR", path);
        assertThat(error.getMessage()).startsWith("internal error (id ").doesNotContain(secret);
        assertThat(error.getExtensions()).containsOnlyKeys("code", "errorId");
        assertThat(error.getExtensions().values()).allSatisfy(v -> assertThat(v.toString()).doesNotContain(secret));
    }

    /**
     * Runs a named document through a web handler with the session cookie interceptor, as over HTTP, for what a
     * resolver leaves in the HTTP response (the Set-Cookie header).
     */
    protected WebGraphQlResponse overHttp(String documentName, Map<String, Object> variables) {
        String document;
        try {
            document = new ClassPathResource("graphql-test/" + documentName + ".graphql")
                    .getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        WebGraphQlHandler handler = WebGraphQlHandler.builder(graphQlService).interceptor(cookies).build();
        return handler.handleRequest(new WebGraphQlRequest(URI.create("http://localhost/graphql"), new HttpHeaders(),
                new LinkedMultiValueMap<>(), Map.of(), Map.of("query", document, "variables", variables), "1",
                null)).block();
    }

    protected static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
