package net.kimik2.graphql.platform.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Checks the body of a GraphQL-over-HTTP POST before Spring for GraphQL reads it: a JSON content type, at most
 * {@code kimi.graphql.max-body-bytes}, valid JSON, an object whose {@code query} is a non-empty string and whose
 * {@code operationName}, {@code variables} and {@code extensions} are absent, null or of their type. Anything else
 * is a 4xx GraphQL-shaped error (415, 413, 400) with a fixed message, where a JSON {@code null} body used to be a
 * 500. The checked body is handed on unchanged.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class GraphQlRequestGuard extends OncePerRequestFilter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String path;
    private final int maxBodyBytes;

    public GraphQlRequestGuard(@Value("${spring.graphql.http.path:/graphql}") String path,
                               @Value("${kimi.graphql.max-body-bytes:1048576}") int maxBodyBytes) {
        this.path = path;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || !path.equals(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!isJson(request.getContentType())) {
            HttpErrors.write(response, 415, "UNSUPPORTED_MEDIA_TYPE",
                    "a GraphQL request is a POST with Content-Type application/json");
            return;
        }
        if (request.getContentLengthLong() > maxBodyBytes) {
            HttpErrors.write(response, 413, "PAYLOAD_TOO_LARGE", "the request body is too large");
            return;
        }
        byte[] body = request.getInputStream().readNBytes(maxBodyBytes + 1);
        if (body.length > maxBodyBytes) {
            HttpErrors.write(response, 413, "PAYLOAD_TOO_LARGE", "the request body is too large");
            return;
        }
        String problem = problem(body);
        if (problem != null) {
            HttpErrors.write(response, 400, "BAD_REQUEST", problem);
            return;
        }
        chain.doFilter(new CachedBody(request, body), response);
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return "application".equals(type.getType())
                    && ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"));
        } catch (RuntimeException invalid) {
            return false;
        }
    }

    /** What is wrong with the body, or null when it is a well-formed GraphQL request. */
    static String problem(byte[] body) {
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return "the request body is not valid JSON";
        } catch (IOException e) {
            return "the request body could not be read";
        }
        if (request == null || !request.isObject()) {
            return "the request body must be a JSON object with a \"query\" string";
        }
        JsonNode query = request.get("query");
        if (query == null || !query.isTextual() || query.asText().isBlank()) {
            return "\"query\" must be a non-empty string";
        }
        if (!absentNullOr(request.get("operationName"), JsonNode::isTextual)) {
            return "\"operationName\" must be a string";
        }
        if (!absentNullOr(request.get("variables"), JsonNode::isObject)) {
            return "\"variables\" must be an object";
        }
        if (!absentNullOr(request.get("extensions"), JsonNode::isObject)) {
            return "\"extensions\" must be an object";
        }
        return null;
    }

    private static boolean absentNullOr(JsonNode node, java.util.function.Predicate<JsonNode> ok) {
        return node == null || node.isNull() || ok.test(node);
    }

    /** The request with its body read once by the guard and replayed to Spring for GraphQL. */
    private static final class CachedBody extends HttpServletRequestWrapper {

        private final byte[] body;

        CachedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            InputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    try {
                        return in.available() == 0;
                    } catch (IOException e) {
                        return true;
                    }
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("synchronous reads only");
                }

                @Override
                public int read() throws IOException {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
