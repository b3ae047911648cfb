package net.kimik2.graphql.platform.schema;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import net.kimik2.api.platform.ErrorCode;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replaces Spring Boot's error controller: every error the servlet container or Spring MVC raises outside GraphQL
 * (unknown path, wrong method, unreadable body, unsupported media type) is answered as a GraphQL-shaped JSON error
 * with its status and a code, never with an exception, a class name or a stack trace. A request for {@code /error}
 * itself (no error being forwarded) is 404, not Boot's default 500. A failure because a store had no room in time (the
 * database pool's bounded wait ran out, as while the database is paused) is 503 {@code BUSY} with {@code Retry-After},
 * as it is inside GraphQL: load, not a fault of the request.
 */
@RestController
class JsonErrorController implements ErrorController {

    @RequestMapping(path = "${server.error.path:/error}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        Object attribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = attribute instanceof Integer code && code >= 400 && code <= 599 ? code : 404;
        if (status >= 500 && request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable failure
                && DomainErrors.of(failure).filter(e -> e.code() == ErrorCode.BUSY).isPresent()) {
            return ResponseEntity.status(503).header(HttpHeaders.RETRY_AFTER, "1")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(HttpErrors.body("BUSY", DomainErrors.OVERLOADED.message()));
        }
        HttpStatus resolved = HttpStatus.resolve(status);
        String message = status >= 500 ? "internal error"
                : resolved == null ? "request refused" : resolved.getReasonPhrase().toLowerCase(java.util.Locale.ROOT);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(HttpErrors.body(HttpErrors.code(status), message));
    }
}
