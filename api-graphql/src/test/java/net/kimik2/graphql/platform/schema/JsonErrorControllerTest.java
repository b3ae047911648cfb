package net.kimik2.graphql.platform.schema;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.RequestDispatcher;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class JsonErrorControllerTest {

    private final JsonErrorController controller = new JsonErrorController();

    @Test
    void aDirectRequestForTheErrorPathIsNotFoundNotAServerError() {
        var response = controller.error(new MockHttpServletRequest("GET", "/error"));
        assertThat(response.getStatusCode().value()).isEqualTo(404);
        assertThat(response.getBody()).isEqualTo(HttpErrors.body("NOT_FOUND", "not found"));
    }

    @Test
    void aForwardedErrorKeepsItsStatusAndSaysNothingAboutTheException() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 405);
        request.setAttribute(RequestDispatcher.ERROR_EXCEPTION, new IllegalStateException("secret internals"));
        var response = controller.error(request);
        assertThat(response.getStatusCode().value()).isEqualTo(405);
        assertThat(response.getBody().toString()).contains("METHOD_NOT_ALLOWED").doesNotContain("secret")
                .doesNotContain("IllegalState");

        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 500);
        assertThat(controller.error(request).getBody()).isEqualTo(HttpErrors.body("INTERNAL_ERROR", "internal error"));
    }

    @Test
    void aStoreWithNoRoomInTimeIsBusyWithARetryHintNotAnInternalError() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/error");
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 500);
        // what a filter's session lookup throws while the database is paused: the pool's bounded wait ran out
        request.setAttribute(RequestDispatcher.ERROR_EXCEPTION, new IllegalStateException("lookup failed",
                new java.sql.SQLTransientConnectionException("pool kimi - connection is not available")));
        var response = controller.error(request);
        assertThat(response.getStatusCode().value()).isEqualTo(503);
        assertThat(response.getHeaders().getFirst("Retry-After")).isEqualTo("1");
        assertThat(response.getBody().toString()).contains("BUSY").doesNotContain("pool kimi");
    }
}
