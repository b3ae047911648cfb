package net.kimik2.graphql.platform.schema;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replaces Spring Boot's error controller: every error the servlet container or Spring MVC raises outside GraphQL
 * (unknown path, wrong method, unreadable body, unsupported media type) is answered as a GraphQL-shaped JSON error
 * with its status and a code, never with an exception, a class name or a stack trace. A request for {@code /error}
 * itself (no error being forwarded) is 404, not Boot's default 500.
 */
@RestController
class JsonErrorController implements ErrorController {

    @RequestMapping(path = "${server.error.path:/error}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        Object attribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = attribute instanceof Integer code && code >= 400 && code <= 599 ? code : 404;
        HttpStatus resolved = HttpStatus.resolve(status);
        String message = status >= 500 ? "internal error"
                : resolved == null ? "request refused" : resolved.getReasonPhrase().toLowerCase(java.util.Locale.ROOT);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(HttpErrors.body(HttpErrors.code(status), message));
    }
}
