package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.LOGOUT;
import static net.kimik2.app.e2e.Operations.ME;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.kimik2.app.e2e.MoonshotStub.Scenario;
import net.kimik2.testsupport.platform.EmbeddedPostgresServer;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.GraphQlWsClient;
import net.kimik2.testsupport.platform.MongoWireServer;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two service processes (the packaged jar, {@code postgres} profile) on one real PostgreSQL and one external view
 * store (ADR 0025): a prompt run by node A streams live to a subscriber on node B; a logout and an erasure on A refuse
 * the token on B within the stated bound; and under load over both nodes, node A is killed (SIGKILL): every
 * acknowledged registration and prompt has its effect, each prompt's hold is settled exactly once, balances are
 * exact, and node B takes over node A's processor segments.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ServiceLogsOnFailure.class)
class MultiNodeIT {

    private static final String PASSWORD = "a long enough passphrase";
    private static final long SIGNUP = 1_000_000;
    private static final String ADMIN_PASSWORD = "admin password of the two nodes";
    /** The stated bound for a revocation on one node to reach the other (signal; the cache TTL is set far above). */
    private static final Duration REVOCATION_BOUND = Duration.ofSeconds(2);

    private EmbeddedPostgresServer postgres;
    private MongoWireServer views;
    private MoonshotStub stub;
    private ServiceProcess nodeA;
    private ServiceProcess nodeB;

    @BeforeAll
    void start(@TempDir Path temp) throws Exception {
        postgres = EmbeddedPostgresServer.start(temp.resolve("pg"));
        postgres.createDatabase("kimi").createDatabase("vault");
        views = MongoWireServer.start(temp.resolve("views"));
        stub = new MoonshotStub();
        stub.defaultScenario(Scenario.ok(List.of("quick ", "answer ", "here"), new MoonshotStub.Usage(10, 0, 3))
                .withChunkDelay(Duration.ofMillis(40)));
        byte[] kek = new byte[32];
        new java.security.SecureRandom().nextBytes(kek);
        Map<String, String> env = new HashMap<>(EmbeddedPostgresServer.withKek(
                postgres.serviceEnvironment("kimi", "vault"), Base64.getEncoder().encodeToString(kek)));
        env.putAll(MoonshotStub.serviceEnv(stub));
        env.put("KIMI_SIGNUP_CREDITS", Long.toString(SIGNUP));
        env.put("SPRING_DATA_MONGODB_URI", views.uri("kimi"));
        env.put("KIMI_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("KIMI_PROCESSORS_VIEW_SEGMENTS", "2");
        // far above the bound: only the node-to-node signal can explain a refusal within it
        env.put("KIMI_CACHE_SESSIONS_TTL", "PT60S");
        env.put("KIMI_PRIVACY_KEY_CACHE_TTL", "PT60S");
        env.put("KIMI_NODES_LEASE", "PT6S");
        env.put("KIMI_NODES_HEARTBEAT", "PT1S");
        env.put("DB_SCHEDULER_POLLING_INTERVAL", "1s");
        env.put("KIMI_API_MAX_CONCURRENT_PROMPTS_PER_CALLER", "8");
        Map<String, String> a = new HashMap<>(env);
        a.put("KIMI_NODE_ID", "node-a");
        // node A processes at most one segment of each view processor, so the two nodes split them; B may take all
        a.put("KIMI_PROCESSORS_VIEW_THREADS", "1");
        Map<String, String> b = new HashMap<>(env);
        b.put("KIMI_NODE_ID", "node-b");
        b.put("KIMI_PROCESSORS_VIEW_THREADS", "2");
        nodeA = new ServiceProcess(temp.resolve("node-a"), a).start();
        nodeB = new ServiceProcess(temp.resolve("node-b"), b).start();
    }

    @AfterAll
    void stop() throws Exception {
        // the services outlive single tests: keep their logs (the temporary directory goes with the class)
        java.nio.file.Files.createDirectories(Path.of("target", "service-logs"));
        for (ServiceProcess node : new ServiceProcess[] {nodeA, nodeB}) {
            if (node != null && java.nio.file.Files.exists(node.logFile())) {
                java.nio.file.Files.copy(node.logFile(), Path.of("target", "service-logs",
                        "MultiNodeIT-" + node.logFile().getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {nodeA, nodeB, stub}) {
            if (c != null) {
                c.close();
            }
        }
        if (views != null) {
            views.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void aPromptRunByNodeAStreamsLiveToSubscribersOnNodeB() throws Exception {
        String token = register(nodeA, "streamer");
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            parts.add("part " + i + " of a long answer; ");
        }
        parts.add("x".repeat(2500)); // longer than one relayed part
        stub.enqueue(Scenario.ok(parts, new MoonshotStub.Usage(25, 5, 31)).withChunkDelay(Duration.ofMillis(60)));
        JsonNode accepted = nodeA.client().executeAs(token, PromptsIT.SEND,
                Map.of("input", Map.of("content", "stream me across nodes"))).data().path("sendPrompt");
        assertThat(accepted.path("__typename").asText()).as(accepted.toString()).isEqualTo("PromptAccepted");
        String promptId = accepted.path("promptId").asText();
        URI ws = URI.create(nodeB.baseUrl().replace("http://", "ws://") + "/graphql");
        try (GraphQlWsClient live = GraphQlWsClient.connect(ws, Map.of("Authorization", "Bearer " + token));
             GraphQlWsClient late = GraphQlWsClient.connect(ws, Map.of("Authorization", "Bearer " + token))) {
            var liveOp = live.subscribe("live", PromptsIT.STREAM, Map.of("id", promptId));
            Thread.sleep(800); // the answer is well under way: a late subscriber must still get it from the start
            var lateOp = late.subscribe("late", PromptsIT.STREAM, Map.of("id", promptId));
            List<JsonNode> liveChunks = PromptsIT.collect(liveOp);
            List<JsonNode> lateChunks = PromptsIT.collect(lateOp);
            long cost = PromptsIT.cost(25, 5, 31);
            PromptsIT.assertWholeAnswer(liveChunks, promptId, String.join("", parts), cost);
            PromptsIT.assertWholeAnswer(lateChunks, promptId, String.join("", parts), cost);
            System.out.printf("[MultiNodeIT] node B relayed %d chunks live (%d to the late subscriber)%n",
                    liveChunks.size(), lateChunks.size());
        }
    }

    @Test
    @Order(2)
    void aLogoutAndAnErasureOnNodeARefuseTheTokenOnNodeBWithinTheBound() throws Exception {
        String token = register(nodeA, "leaver");
        assertAccepted(nodeB, token); // node B has the session cached now
        assertThat(nodeA.client().executeAs(token, LOGOUT, Map.of()).data().path("logout").asBoolean()).isTrue();
        Duration logoutLag = untilRefused(nodeB, token);

        String username = "erased" + UUID.randomUUID().toString().substring(0, 8);
        nodeA.client().execute(REGISTER, registerInput("Erased Person", username + "@example.org", username, PASSWORD));
        String erased = login(nodeA, username);
        assertAccepted(nodeB, erased);
        JsonNode requested = nodeA.client().executeAs(erased, "mutation E($u: String!) { requestErasure(input: "
                + "{ confirmUsername: $u }) { __typename } }", Map.of("u", username)).data();
        assertThat(requested.path("requestErasure").path("__typename").asText()).isEqualTo("ErasureRequested");
        Duration erasureLag = untilRefused(nodeB, erased);

        System.out.printf("[MultiNodeIT] token refused on node B %d ms after the logout on node A, %d ms after the "
                + "erasure (bound %d ms, session cache TTL 60 s)%n", logoutLag.toMillis(), erasureLag.toMillis(),
                REVOCATION_BOUND.toMillis());
        assertThat(logoutLag).isLessThan(REVOCATION_BOUND);
        assertThat(erasureLag).isLessThan(REVOCATION_BOUND);
    }

    /**
     * A view replay runs on the node that receives it, alone: the other node stops the processor and gives up its
     * segments, the old views serve on both nodes until the rebuilt ones are switched in, and then the segments go
     * back to where they were. A node that cannot process every segment (node A: one thread, two segments) refuses.
     */
    @Test
    @Order(3)
    void aViewReplayOnOneNodeRunsWhileTheOtherStepsAside() throws Exception {
        Map<String, List<String>> segmentsBefore = viewSegmentOwners();
        assertThat(segmentsBefore.get("node-a")).as("node A owns view segments").isNotEmpty();
        assertThat(segmentsBefore.get("node-b")).as("node B owns view segments").isNotEmpty();
        String user = register(nodeA, "replayed");
        JsonNode me = nodeB.client().executeAs(user, ME, Map.of()).data().path("me");
        String admin = login(nodeB, "admin", ADMIN_PASSWORD);
        List<String> views = List.of("accounts-account", "credits-balance", "credits-ledger");
        String replay = "mutation R($p: [String!]!) { replayViews(input: { processors: $p }) "
                + "{ __typename ... on ValidationFailed { message } } }";

        JsonNode refused = nodeA.client().executeAs(admin, replay, Map.of("p", views)).data().path("replayViews");
        assertThat(refused.path("__typename").asText()).as(refused.toString()).isEqualTo("ValidationFailed");
        assertThat(refused.path("message").asText()).contains("view-threads");

        long started = System.nanoTime();
        JsonNode replayed = nodeB.client().executeAs(admin, replay, Map.of("p", views)).data().path("replayViews");
        assertThat(replayed.path("__typename").asText()).as(replayed.toString()).isEqualTo("ReplayStarted");
        long until = started + Duration.ofSeconds(90).toNanos();
        boolean finished = false;
        while (!finished && System.nanoTime() < until) {
            // the old views serve, whole, on both nodes until the switch
            assertThat(nodeA.client().executeAs(user, ME, Map.of()).data().path("me")).isEqualTo(me);
            assertThat(nodeB.client().executeAs(user, ME, Map.of()).data().path("me")).isEqualTo(me);
            finished = true;
            for (JsonNode processor : nodeB.client().executeAs(admin, "{ viewProcessors { name replay { finished } } }",
                    Map.of()).data().path("viewProcessors")) {
                if (views.contains(processor.path("name").asText())) {
                    finished &= processor.path("replay").path("finished").asBoolean();
                }
            }
            Thread.sleep(200);
        }
        long replayMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(finished).as("replay finished on node B").isTrue();
        assertThat(nodeA.client().executeAs(user, ME, Map.of()).data().path("me")).isEqualTo(me);

        // node A processes its segments again
        Map<String, List<String>> after = viewSegmentOwners();
        until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!after.getOrDefault("node-a", List.of()).containsAll(segmentsBefore.get("node-a"))
                && System.nanoTime() < until) {
            Thread.sleep(500);
            after = viewSegmentOwners();
        }
        System.out.printf("[MultiNodeIT] replay of %s on node B done in %d ms; segments before %s, after %s%n", views,
                replayMillis, segmentsBefore, after);
        assertThat(after.get("node-a")).containsAll(segmentsBefore.get("node-a"));
        String later = register(nodeB, "afterreplay");
        assertThat(nodeA.client().executeAs(later, ME, Map.of()).data().path("me").path("credits")
                .path("available").asLong()).isEqualTo(SIGNUP);
    }

    @Test
    @Order(4)
    void underLoadOverBothNodesNodeAIsKilledAndNothingAcknowledgedIsLost() throws Exception {
        Map<String, List<String>> segmentsBefore = viewSegmentOwners();
        System.out.println("[MultiNodeIT] view segments before the kill: " + segmentsBefore);
        assertThat(segmentsBefore.get("node-a")).as("node A owns view segments").isNotEmpty();
        assertThat(segmentsBefore.get("node-b")).as("node B owns view segments").isNotEmpty();

        // registrations over both nodes
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tokens.add(register(i % 2 == 0 ? nodeA : nodeB, "load" + i));
        }
        // prompts of the same people through both nodes at once: the same ledgers written by two processes
        Map<String, List<String>> acknowledged = new ConcurrentHashMap<>();
        tokens.forEach(t -> acknowledged.put(t, new CopyOnWriteArrayList<>()));
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService load = Executors.newFixedThreadPool(tokens.size() * 2);
        List<Future<?>> workers = new ArrayList<>();
        for (String token : tokens) {
            for (ServiceProcess node : List.of(nodeA, nodeB)) {
                workers.add(load.submit(() -> {
                    GraphQlClient client = node.client();
                    while (!stop.get() && acknowledged.get(token).size() < 25) {
                        try {
                            JsonNode sent = client.executeAs(token, PromptsIT.SEND,
                                    Map.of("input", Map.of("content", "load prompt"))).data().path("sendPrompt");
                            if (sent.path("__typename").asText().equals("PromptAccepted")) {
                                acknowledged.get(token).add(sent.path("promptId").asText());
                            }
                        } catch (Exception | AssertionError notAcknowledged) {
                            if (!node.isAlive()) {
                                return null;
                            }
                        }
                    }
                    return null;
                }));
            }
        }
        Thread.sleep(4000);
        String admin = login(nodeB, "admin", ADMIN_PASSWORD);
        String retriesA = retries(nodeA, admin);
        nodeA.kill();
        long killedAt = System.nanoTime();
        Thread.sleep(3000);
        stop.set(true);
        load.shutdown();
        assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        int prompts = acknowledged.values().stream().mapToInt(List::size).sum();
        System.out.printf("[MultiNodeIT] %d prompts acknowledged over both nodes; commands retried after an append "
                + "race: node A %s, node B %s%n", prompts, retriesA, retries(nodeB, admin));
        assertThat(prompts).isGreaterThan(20);

        // node B takes over node A's segments: the view store's and the event store's tokens
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, List<String>> after = viewSegmentOwners();
        while (after.containsKey("node-a") && System.nanoTime() < until) {
            Thread.sleep(500);
            after = viewSegmentOwners();
        }
        System.out.printf("[MultiNodeIT] view segments %d ms after the kill: %s; event store tokens: %s%n",
                (System.nanoTime() - killedAt) / 1_000_000, after, jdbcTokenOwners());
        assertThat(after).containsOnlyKeys("node-b");
        assertThat(after.get("node-b")).containsAll(segmentsBefore.get("node-a"));

        // every acknowledged prompt held credits once and was settled once (answered, or failed as interrupted by
        // node B once node A's lease expired); balances exact
        GraphQlClient b = nodeB.client();
        for (String token : tokens) {
            assertThat(b.executeAs(token, ME, Map.of()).data().path("me").path("id").asText()).isNotBlank();
            JsonNode data = awaitSettled(b, token, acknowledged.get(token));
            JsonNode credits = data.path("me").path("credits");
            long captured = 0;
            Map<String, Integer> holds = new TreeMap<>();
            Map<String, Integer> settlements = new TreeMap<>();
            for (JsonNode edge : data.path("creditLedger").path("edges")) {
                JsonNode e = edge.path("node");
                String reference = e.path("reference").asText();
                switch (e.path("kind").asText()) {
                    case "hold" -> holds.merge(reference, 1, Integer::sum);
                    case "capture" -> {
                        captured += -e.path("amount").asLong();
                        settlements.merge(reference, 1, Integer::sum);
                    }
                    case "release" -> {
                        if (reference.endsWith(":failed")) {
                            settlements.merge(reference.substring(0, reference.length() - ":failed".length()), 1,
                                    Integer::sum);
                        }
                    }
                    default -> { }
                }
            }
            for (String promptId : acknowledged.get(token)) {
                assertThat(holds.get("prompt:" + promptId)).as("hold of " + promptId).isEqualTo(1);
            }
            assertThat(holds.values()).allMatch(n -> n == 1);
            assertThat(settlements).isEqualTo(holds); // each hold settled exactly once
            assertThat(credits.path("held").asLong()).isZero();
            assertThat(credits.path("available").asLong()).isEqualTo(SIGNUP - captured);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private String register(ServiceProcess node, String prefix) throws Exception {
        String username = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        GraphQlClient.Response response = node.client().execute(REGISTER, registerInput("Node Tester",
                username + "@example.org", username, PASSWORD));
        assertThat(response.body().path("data").path("register").path("__typename").asText()).as(response.raw())
                .isEqualTo("Registered");
        return login(node, username);
    }

    private static String login(ServiceProcess node, String username) throws Exception {
        return login(node, username, PASSWORD);
    }

    private static String login(ServiceProcess node, String username, String password) throws Exception {
        return node.client().execute(LOGIN, loginInput(username, password)).data().path("login").path("token")
                .asText();
    }

    private static void assertAccepted(ServiceProcess node, String token) throws Exception {
        JsonNode me = node.client().executeAs(token, ME, Map.of()).body();
        assertThat(me.path("data").path("me").path("id").asText()).as(me.toString()).isNotBlank();
    }

    private static Duration untilRefused(ServiceProcess node, String token) throws Exception {
        long started = System.nanoTime();
        long until = started + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            JsonNode body = node.client().executeAs(token, ME, Map.of()).body();
            if (body.path("data").path("me").isNull() || body.path("data").path("me").isMissingNode()
                    || body.path("errors").size() > 0) {
                return Duration.ofNanos(System.nanoTime() - started);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the token was still accepted on the other node after 30 s");
    }

    /** Waits until nothing is held and every acknowledged prompt's hold is in the ledger view. */
    private static JsonNode awaitSettled(GraphQlClient client, String token, List<String> promptIds) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode data = null;
        while (System.nanoTime() < until) {
            data = client.executeAs(token, PromptsIT.LEDGER_AND_BALANCE, Map.of()).data();
            Set<String> references = new java.util.HashSet<>(data.path("creditLedger").findValuesAsText("reference"));
            boolean allHeld = promptIds.stream().allMatch(id -> references.contains("prompt:" + id));
            if (allHeld && data.path("me").path("credits").path("held").asLong() == 0) {
                return data;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("credits never settled: " + data);
    }

    /** Owner of each view processor segment in the view store: owner -> ["processor/segment", ...]. */
    private Map<String, List<String>> viewSegmentOwners() {
        Map<String, List<String>> owners = new TreeMap<>();
        try (MongoClient mongo = MongoClients.create(views.uri("kimi"))) {
            for (Document token : mongo.getDatabase("kimi").getCollection("view_tokens").find()) {
                String owner = token.getString("owner");
                owners.computeIfAbsent(owner == null ? "(released)" : owner, o -> new ArrayList<>())
                        .add(token.getString("processorName") + "/" + token.get("segment"));
            }
        }
        owners.values().forEach(l -> l.sort(String::compareTo));
        return owners;
    }

    /** Owners of the event store's tokens (the policies), by owner. */
    private Map<String, Integer> jdbcTokenOwners() throws Exception {
        Map<String, Integer> owners = new TreeMap<>();
        try (Connection c = postgres.connect("kimi"); var s = c.createStatement();
             var rs = s.executeQuery("SELECT owner FROM tokenentry")) {
            while (rs.next()) {
                owners.merge(String.valueOf(rs.getString(1)), 1, Integer::sum);
            }
        }
        return owners;
    }

    /** The node's count of commands retried after a lost append race (the actuator needs an admin). */
    private static String retries(ServiceProcess node, String adminToken) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var response = http.send(java.net.http.HttpRequest.newBuilder(
                        URI.create(node.baseUrl() + "/actuator/metrics/kimi.commands.concurrency.retries"))
                        .header("Authorization", "Bearer " + adminToken).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200
                ? new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body())
                        .path("measurements").path(0).path("value").asText()
                : "?";
    }
}
