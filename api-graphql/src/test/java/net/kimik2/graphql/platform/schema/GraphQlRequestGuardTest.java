package net.kimik2.graphql.platform.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class GraphQlRequestGuardTest {

    private final GraphQlRequestGuard guard = new GraphQlRequestGuard("/graphql", 1024);

    private MockHttpServletResponse post(String body, String contentType, AtomicReference<String> passedOn)
            throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/graphql");
        if (contentType != null) {
            request.setContentType(contentType);
        }
        request.setContent(body.getBytes(StandardCharsets.UTF_8));
        MockHttpServletResponse response = new MockHttpServletResponse();
        guard.doFilter(request, response, new MockFilterChain() {
            @Override
            public void doFilter(jakarta.servlet.ServletRequest req, jakarta.servlet.ServletResponse res)
                    throws java.io.IOException {
                passedOn.set(new String(((HttpServletRequest) req).getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8));
            }
        });
        return response;
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "[]", "\"x\"", "5", "{\"query\":5}", "{\"query\":\"\"}", "{}", "{\"query\":null}",
            "{\"query\":\"{ ping }\",\"variables\":[1]}", "{\"query\":\"{ ping }\",\"variables\":\"x\"}",
            "{\"query\":\"{ ping }\",\"operationName\":7}", "{\"query\":\"{ ping }\",\"extensions\":1}", "{\"query\":",
            "not json at all", ""})
    void malformedBodiesAreA400WithATypedErrorAndNeverReachGraphQl(String body) throws Exception {
        AtomicReference<String> passedOn = new AtomicReference<>();
        MockHttpServletResponse response = post(body, "application/json", passedOn);

        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(passedOn.get()).isNull();
        JsonNode json = new ObjectMapper().readTree(response.getContentAsString());
        assertThat(json.at("/errors/0/extensions/code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(response.getContentAsString()).doesNotContain("Exception").doesNotContain("jackson")
                .doesNotContain("at net.");
    }

    @ParameterizedTest
    @CsvSource(value = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "NULL",
            "not a type"}, nullValues = "NULL")
    void otherContentTypesAreA415(String contentType) throws Exception {
        AtomicReference<String> passedOn = new AtomicReference<>();
        MockHttpServletResponse response = post("{\"query\":\"{ ping }\"}", contentType, passedOn);
        assertThat(response.getStatus()).isEqualTo(415);
        assertThat(passedOn.get()).isNull();
        assertThat(response.getContentAsString()).contains("UNSUPPORTED_MEDIA_TYPE");
    }

    @Test
    void anOversizedBodyIsA413() throws Exception {
        AtomicReference<String> passedOn = new AtomicReference<>();
        MockHttpServletResponse response = post("{\"query\":\"" + "x".repeat(2000) + "\"}", "application/json", passedOn);
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(passedOn.get()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"query\":\"{ ping }\"}",
            "{\"query\":\"query q { ping }\",\"operationName\":\"q\",\"variables\":{\"a\":1},\"extensions\":null}",
            "{\"query\":\"{ ping }\",\"variables\":null,\"operationName\":null}"})
    void aWellFormedRequestIsPassedOnUnchanged(String body) throws Exception {
        AtomicReference<String> passedOn = new AtomicReference<>();
        MockHttpServletResponse response = post(body, "application/json; charset=utf-8", passedOn);
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(passedOn.get()).isEqualTo(body);
    }

    @Test
    void otherPathsAndMethodsAreNotItsBusiness() throws Exception {
        MockHttpServletRequest get = new MockHttpServletRequest("GET", "/graphql");
        MockFilterChain chain = new MockFilterChain();
        guard.doFilter(get, new MockHttpServletResponse(), chain);
        assertThat(chain.getRequest()).isSameAs(get);
    }
}
