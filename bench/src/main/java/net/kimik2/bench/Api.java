package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.kimik2.testsupport.conversations.PromptOperations;
import net.kimik2.testsupport.platform.GraphQlClient;

/** The GraphQL operations the scenarios use, each once, with the checks a bench makes of their answers. */
final class Api {

    static final String POLICY_VERSION = "2026-01";
    // One password for every bench account: Argon2id costs the same for any input.
    static final String PASSWORD = "bench-password-2026";

    static final String PING = "{ ping }";
    static final String ME = "{ me { id name email credits { available } } }";
    static final String BALANCE = "{ me { credits { available held debt } } }";
    static final String REGISTER = """
            mutation Register($input: RegisterInput!) {
              register(input: $input) {
                __typename
                ... on Registered { account { id credits { available } } }
                ... on ValidationFailed { field message }
                ... on AlreadyTaken { takenField: field }
              }
            }""";
    static final String LOGIN = """
            mutation Login($input: LoginInput!) {
              login(input: $input) { __typename ... on LoggedIn { token } ... on InvalidCredentials { message } }
            }""";
    static final String SEND = PromptOperations.SEND;
    static final String STREAM = PromptOperations.STREAM;
    static final String VIEW_PROCESSORS =
            "{ viewProcessors { name running replaying caughtUp position headPosition error } }";
    static final String REPLAY = """
            mutation Replay($input: ReplayViewsInput!) {
              replayViews(input: $input) {
                __typename
                ... on ReplayStarted { processors startedAt }
                ... on ValidationFailed { field message }
              }
            }""";

    /** An account the bench registered: its id and, once logged in, its bearer token. */
    record Account(String username, String id, JsonNode registered) {
    }

    private final GraphQlClient client;

    Api(GraphQlClient client) {
        this.client = client;
    }

    GraphQlClient client() {
        return client;
    }

    /** Registers {@code username}; the answer must be {@code Registered}. */
    Account register(String username, String name) {
        Map<String, Object> input = Map.of(
                "name", name,
                "email", username + "@bench.example.org",
                "username", username,
                "password", PASSWORD,
                "acceptedPolicyVersion", POLICY_VERSION);
        JsonNode registered = client.data(REGISTER, Map.of("input", input), null).path("register");
        if (!"Registered".equals(registered.path("__typename").asText())
                || registered.path("account").path("id").asText().isEmpty()) {
            throw new BenchFailure("register " + username + " answered " + registered);
        }
        return new Account(username, registered.path("account").path("id").asText(), registered);
    }

    /**
     * Registers {@code username} on a node that may not run the account projection (issue 15: with several nodes the
     * mutation's read-your-writes wait only sees view updates of its own JVM and answers CONFLICT "the view is not up
     * to date yet" after its timeout, although the account was stored). A CONFLICT is counted in {@code conflicts},
     * and the account is then found by logging in and reading {@code me} until the view has it.
     */
    Account registerOnAnyNode(String username, String name, java.util.concurrent.atomic.AtomicInteger conflicts) {
        try {
            return register(username, name);
        } catch (GraphQlClient.Failure e) {
            if (!e.getMessage().contains("\"CONFLICT\"")) {
                throw e;
            }
            conflicts.incrementAndGet();
            String token = login(username, PASSWORD);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode me = client.data(ME, null, token).path("me");
                if (!me.path("id").asText().isEmpty()) {
                    return new Account(username, me.path("id").asText(), null);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            throw new BenchFailure("register " + username + " answered CONFLICT and the account view never showed it");
        }
    }

    /** A bearer token of {@code usernameOrEmail}; the answer must be {@code LoggedIn}. */
    String login(String usernameOrEmail, String password) {
        JsonNode login = client.data(LOGIN,
                Map.of("input", Map.of("usernameOrEmail", usernameOrEmail, "password", password)), null).path("login");
        if (!"LoggedIn".equals(login.path("__typename").asText())) {
            throw new BenchFailure("login " + usernameOrEmail + " answered " + login);
        }
        return login.path("token").asText();
    }

    String login(Account account) {
        return login(account.username(), PASSWORD);
    }

    /** {@code me} of the token's account, checked: the id and a numeric balance. */
    JsonNode me(String token, String expectedId) {
        JsonNode me = client.data(ME, null, token).path("me");
        if (!me.path("credits").path("available").isNumber()
                || (expectedId != null ? !expectedId.equals(me.path("id").asText()) : me.path("id").asText().isEmpty())) {
            throw new BenchFailure("me answered " + me + (expectedId != null ? ", expected id " + expectedId : ""));
        }
        return me;
    }

    /** {@code true} of {@code { ping }}, checked. */
    void ping() {
        JsonNode ping = client.data(PING, null, null);
        if (!ping.path("ping").asBoolean(false)) {
            throw new BenchFailure("ping answered " + ping);
        }
    }

    /**
     * Polls the balance until it shows {@code available}, {@code held} and no debt (bounded); answers the last
     * balance seen, or throws when it never showed.
     */
    JsonNode awaitBalance(String token, long available, long held, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        JsonNode credits = null;
        while (System.nanoTime() < deadline) {
            credits = client.data(BALANCE, null, token).path("me").path("credits");
            if ((available < 0 || credits.path("available").asLong(-1) == available)
                    && credits.path("held").asLong(-1) == held && credits.path("debt").asLong(-1) == 0) {
                return credits;
            }
            Thread.sleep(100);
        }
        throw new BenchFailure("expected available " + (available < 0 ? "any" : available) + ", held " + held
                + ", debt 0 within " + limit.toSeconds() + " s, last " + credits);
    }

    /** The view processors by name. */
    Map<String, JsonNode> viewProcessors(String adminToken) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode processor : client.data(VIEW_PROCESSORS, null, adminToken).path("viewProcessors")) {
            byName.put(processor.path("name").asText(), processor);
        }
        return byName;
    }

    /** Caught up and at the head: Axon's replaying flag may stay set until the next event arrives. */
    static boolean caughtUp(JsonNode status) {
        JsonNode position = status.path("position");
        JsonNode head = status.path("headPosition");
        return status.path("caughtUp").asBoolean(false)
                && position.isNumber() && head.isNumber() && position.asLong() >= head.asLong();
    }

    /** Waits until every view processor is caught up (bounded). */
    void awaitViewsCaughtUp(String adminToken, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (viewProcessors(adminToken).values().stream().allMatch(Api::caughtUp)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new BenchFailure("views not caught up within " + limit.toMinutes() + " minutes");
    }

    /** Starts a replay of the named processors; the answer must be {@code ReplayStarted}. */
    void replay(String adminToken, List<String> processors) {
        JsonNode started = client.data(REPLAY, Map.of("input", Map.of("processors", processors)), adminToken)
                .path("replayViews");
        if (!"ReplayStarted".equals(started.path("__typename").asText())) {
            throw new BenchFailure("replayViews answered " + started);
        }
    }

    /** A failed check of an answer; the run is reported FAILED and not appended. */
    static final class BenchFailure extends RuntimeException {
        BenchFailure(String message) {
            super(message);
        }
    }
}
