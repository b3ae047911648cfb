package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;

/**
 * Random and mutated GraphQL documents, variables and bodies, and /v1 bodies, against the packaged service (issue
 * 14): whatever a client sends, the answer is never a 5xx, never a stack trace, never a Java class name.
 */
class FuzzIT {

    private static final List<String> SEEDS = List.of(
            "{ me { id username credits { available held debt } } }",
            "{ ping }",
            "query C($id: ID!) { conversation(id: $id) { id messages { id role content usage { costCredits } } } }",
            "query L($first: Int, $after: String) { creditLedger(first: $first, after: $after) { edges { cursor node { kind amount } } } }",
            "{ conversations(first: 5) { edges { node { id title } } pageInfo { hasNextPage endCursor } } }",
            "{ apiKeys { id label prefix spentThisMonth } models { id outputPerMillion } }",
            "mutation S($input: SendPromptInput!) { sendPrompt(input: $input) { __typename ... on PromptAccepted { promptId } ... on ValidationFailed { field message } } }",
            "mutation K($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on ApiKeyCreated { secret } } }",
            "mutation R($id: ID!) { revokeApiKey(id: $id) deleteConversation(id: $id) }",
            "mutation L($input: LoginInput!) { login(input: $input) { __typename } }",
            "mutation { register(input: {name: \"n\", email: \"e@x.org\", username: \"u\", password: \"p\", acceptedPolicyVersion: \"x\"}) { __typename } }",
            "subscription P($promptId: ID!) { promptStream(promptId: $promptId) { seq delta done } }",
            "query U($days: Int) { usageSummary(days: $days) { day model costCredits } }",
            "{ __schema { types { name fields { name } } } }",
            "fragment F on Query { me { id } } query { ...F ...F me { ...on Account { id } } }");
    private static final List<String> VARIABLES = List.of(
            "{}", "null", "[]", "\"x\"", "{\"id\":\"%s\"}", "{\"id\":%s}", "{\"first\":%s,\"after\":\"%s\"}",
            "{\"input\":{\"content\":\"%s\",\"maxTokens\":%s,\"idempotencyKey\":\"%s\"}}",
            "{\"input\":{\"content\":\"%s\",\"conversationId\":\"%s\",\"model\":\"%s\"}}",
            "{\"input\":{\"label\":\"%s\",\"monthlyBudgetCredits\":%s,\"expiresAt\":\"%s\",\"models\":[\"%s\"]}}",
            "{\"input\":{\"usernameOrEmail\":\"%s\",\"password\":\"%s\"}}", "{\"promptId\":\"%s\",\"days\":%s}",
            "{\"input\":%s}", "{\"input\":{\"content\":[%s]}}");
    /** Packaged class names look like this; nothing a client gets back may contain one. */
    private static final Pattern CLASS_NAME = Pattern.compile("\\b(?:net|java|javax|jakarta|org|com|graphql|reactor)"
            + "\\.[a-z0-9_]+(?:\\.[a-z0-9_]+)*\\.[A-Z][A-Za-z0-9_$]*");

    private static ServiceProcess service;
    private static String token;
    private static String apiKey;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeContainer
    static void start() throws Exception {
        service = ServiceBackend.service(Files.createTempDirectory("fuzz").resolve("data"),
                Map.of("KIMI_SIGNUP_CREDITS", "100000000", "KIMI_MODEL_OFFLINE_CHUNK_DELAY", "0ms")).start();
        service.client().execute(REGISTER, registerInput("Fuzz Tester", "fuzz@example.org", "fuzz_tester",
                "a long enough passphrase"));
        token = service.client().execute(LOGIN, loginInput("fuzz_tester", "a long enough passphrase")).data()
                .path("login").path("token").asText();
        apiKey = OpenAiEndToEndIT.createKey(service.client(), token, Map.of("label", "fuzz")).path("secret").asText();
    }

    @AfterContainer
    static void stop() throws Exception {
        if (service != null) {
            service.close();
            service.deleteDataDir();
        }
    }

    // ---- generators ---------------------------------------------------------------------------------------------

    /** Values that break parsers and coercions: huge, negative, unicode, quotes, nesting, nothing. */
    private static Arbitrary<String> nasty() {
        return Arbitraries.oneOf(
                Arbitraries.of("", "0", "-1", "9223372036854775807", "9223372036854775808", "1e308", "NaN", "null",
                        "true", "\\u0000", "\\ud800", "\\\"", "{}", "[]", "../../etc/passwd", "' OR 1=1 --",
                        "<script>alert(1)</script>", "kimi-k2-0905-preview", "2026-13-45T99:99:99Z", "💥".repeat(50)),
                Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(80),
                Arbitraries.strings().all().ofMaxLength(40).map(FuzzIT::jsonEscape),
                Arbitraries.longs().map(String::valueOf));
    }

    private static String jsonEscape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static Arbitrary<String> junk() {
        return Arbitraries.strings().withChars("{}()[]:$!@#\"\\ ,=|&^*~`'\n\t0123456789abcxyzQ_-").ofMinLength(1)
                .ofMaxLength(12);
    }

    /** A seed document with one of: a span deleted, junk inserted, a span repeated, or nothing left of it. */
    @Provide
    Arbitrary<String> documents() {
        Arbitrary<String> seed = Arbitraries.of(SEEDS);
        Arbitrary<Double> at = Arbitraries.doubles().between(0, 1);
        return Combinators.combine(seed, Arbitraries.integers().between(0, 5), at, at, junk())
                .as((doc, op, a, b, j) -> {
                    int i = (int) (a * doc.length());
                    int k = Math.min(doc.length(), i + (int) (b * 20));
                    return switch (op) {
                        case 0 -> doc;
                        case 1 -> doc.substring(0, i) + doc.substring(k);
                        case 2 -> doc.substring(0, i) + j + doc.substring(i);
                        case 3 -> doc.substring(0, k) + doc.substring(i, k).repeat(3) + doc.substring(k);
                        case 4 -> doc.substring(0, i) + j;
                        default -> j + doc.substring(i);
                    };
                });
    }

    @Provide
    Arbitrary<String> variables() {
        return Combinators.combine(Arbitraries.of(VARIABLES), nasty().list().ofSize(4))
                .as((template, values) -> String.format(template, values.toArray()));
    }

    @Provide
    Arbitrary<String> bodies() {
        return Arbitraries.oneOf(
                Combinators.combine(documents(), variables()).as((d, v) ->
                        "{\"query\":\"" + jsonEscape(d) + "\",\"variables\":" + v + "}"),
                Combinators.combine(documents(), nasty()).as((d, n) ->
                        "{\"query\":\"" + jsonEscape(d) + "\",\"operationName\":\"" + n + "\",\"extensions\":" + n + "}"),
                Combinators.combine(documents(), Arbitraries.integers().between(0, 200)).as((d, cut) -> {
                    String body = "{\"query\":\"" + jsonEscape(d) + "\"}";
                    return body.substring(0, Math.min(cut, body.length()));
                }),
                Arbitraries.strings().all().ofMaxLength(200),
                nasty());
    }

    @Provide
    Arbitrary<String> v1Bodies() {
        Arbitrary<String> message = Combinators.combine(Arbitraries.of("user", "system", "assistant", "tool", "", "x"),
                Arbitraries.oneOf(nasty().map(n -> "\"" + n + "\""), Arbitraries.of("null", "1", "[]", "{}",
                        "[{\"type\":\"text\",\"text\":\"hi\"}]", "[{\"type\":\"image_url\"}]", "[1]")))
                .as((role, content) -> "{\"role\":\"" + role + "\",\"content\":" + content + "}");
        Arbitrary<String> value = Arbitraries.oneOf(nasty().map(n -> "\"" + n + "\""),
                Arbitraries.of("null", "true", "1", "-5", "0", "99999999999999999999", "[]", "{}", "1.5"));
        Arbitrary<String> valid = Combinators.combine(message.list().ofMinSize(0).ofMaxSize(4),
                        Arbitraries.of("model", "max_tokens", "max_completion_tokens", "stream", "stream_options", "n",
                                "user", "temperature", "tools", "messages"),
                        value, Arbitraries.of("kimi-k2-0905-preview", "kimi-k2-turbo-preview", "gpt-4o", ""))
                .as((messages, field, v, model) -> "{\"model\":\"" + model + "\",\"max_tokens\":8,\"messages\":["
                        + String.join(",", messages) + "],\"" + field + "\":" + v + "}");
        return Arbitraries.oneOf(valid,
                valid.flatMap(b -> Arbitraries.integers().between(0, b.length()).map(cut -> b.substring(0, cut))),
                Arbitraries.strings().all().ofMaxLength(200), nasty());
    }

    // ---- properties ---------------------------------------------------------------------------------------------

    @Property(tries = 400)
    @Label("GraphQL: mutated documents and random variables never answer 5xx, a stack trace or a class name")
    void graphQlNeverFailsInternally(@ForAll("documents") String document, @ForAll("variables") String variables,
                                     @ForAll boolean signedIn) throws Exception {
        String body = "{\"query\":\"" + jsonEscape(document) + "\",\"variables\":" + variables + "}";
        assertClean(post("/graphql", body, "application/json", signedIn ? token : null));
    }

    @Property(tries = 400)
    @Label("GraphQL: random and cut bodies of any content type never answer 5xx, a stack trace or a class name")
    void graphQlBodiesNeverFailInternally(@ForAll("bodies") String body,
                                          @ForAll("contentTypes") String contentType) throws Exception {
        assertClean(post("/graphql", body, contentType, token));
    }

    @Property(tries = 400)
    @Label("/v1: random and mutated chat completion bodies never answer 5xx, a stack trace or a class name")
    void v1NeverFailsInternally(@ForAll("v1Bodies") String body, @ForAll boolean stream) throws Exception {
        String sent = stream && body.startsWith("{\"model\"") ? body.replaceFirst("\\{", "{\"stream\":true,") : body;
        assertClean(post("/v1/chat/completions", sent, "application/json", apiKey));
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.of("application/json", "application/json; charset=utf-8", "application/graphql",
                "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "*/*",
                "application/graphql-response+json");
    }

    private static HttpResponse<String> post(String path, String body, String contentType, String bearer)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (!contentType.isEmpty()) {
            request.header("Content-Type", contentType);
        }
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertClean(HttpResponse<String> response) {
        String body = response.body();
        assertThat(response.statusCode()).as(body).isLessThan(500);
        assertThat(body).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("stackTrace")
                .doesNotContain("Caused by");
        assertThat(CLASS_NAME.matcher(body).find()).as("a class name in %s", body).isFalse();
    }
}
