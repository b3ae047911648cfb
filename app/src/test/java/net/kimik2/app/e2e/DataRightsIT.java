package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.ME;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.GraphQlWsClient;
import net.kimik2.testsupport.platform.GraphQlWsClient.ConnectionRefusedException;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 from outside, on the packaged jar: the data export holds everything of the person and nothing of anyone
 * else, and is shredded by erasure; a new policy version holds back mutations until accepted (export and erasure
 * still work); a revoked session stops working at once over HTTP (token and cookie) and WebSocket.
 */
@ExtendWith(ServiceLogsOnFailure.class)
class DataRightsIT {

    private static final String ADMIN_PASSWORD = "admin passphrase for tests";
    private static final String PASSWORD = "a long enough passphrase";
    private static final String DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/126.0.0.0 Safari/537.36";
    private static final String PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            + "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    private static final String SESSIONS = "{ sessions { id current createdAt lastSeenAt deviceType os browser ipAddress } }";
    private static final String REVOKE = "mutation R($id: ID!) { revokeSession(id: $id) }";
    private static final String CHOICES = """
            mutation C($input: PrivacyChoicesInput!) {
              setPrivacyChoices(input: $input) { modelImprovement analyticsCookies productEmails updatedAt }
            }""";
    private static final String POLICY = "{ policy { currentVersion effectiveFrom acceptedVersion acceptanceRequired } }";
    private static final String ACCEPT = "mutation A($v: String!) { acceptPolicy(version: $v) { acceptedVersion acceptanceRequired } }";
    private static final String UPDATE_PROFILE = """
            mutation U($input: UpdateProfileInput!) {
              updateProfile(input: $input) {
                __typename
                ... on ProfileUpdated { account { name email } }
                ... on ValidationFailed { invalidField: field message }
                ... on AlreadyTaken { field }
                ... on InvalidCredentials { message }
                ... on PolicyAcceptanceRequired { currentVersion }
              }
            }""";
    private static final String SEND = """
            mutation Send($input: SendPromptInput!) {
              sendPrompt(input: $input) {
                __typename
                ... on PromptAccepted { promptId conversationId }
                ... on PolicyAcceptanceRequired { currentVersion effectiveFrom }
              }
            }""";
    static final String REQUEST_EXPORT = "mutation { requestDataExport { id status requestedAt } }";
    static final String EXPORT = "query E($id: ID!) { dataExport(id: $id) { id status progress readyAt downloadUrl expiresAt sizeBytes } }";
    private static final String REQUEST_ERASURE = """
            mutation Erase($u: String!) {
              requestErasure(input: { confirmUsername: $u }) { __typename ... on ErasureRequested { request { id } } }
            }""";
    private static final String ERASURES = "{ erasureRequests(first: 100) { edges { node { id status } } } }";

    @TempDir
    Path temp;

    @Test
    void theExportHoldsEverythingOfThePersonAndNothingElseAndErasureShredsIt() throws Exception {
        Path data = temp.resolve("data");
        String username = "mkr_z9kq_user";
        String name = "Mårker Z9kq Person";
        String email = "mkr.z9kq@example.net";
        String renamed = "Mårker Z9kq Renamed";
        String newEmail = "mkr.z9kq.new@example.net";
        String keptPrompt = "Z9kq kept question";
        String deletedPrompt = "Z9kq deleted question";
        String answer = "The Z9kq answer";
        List<String> markers = List.of(username, name, email, renamed, newEmail, keptPrompt, answer, "Z9kq", "z9kq");
        List<String> otherMarkers = List.of("oth_w4vb_user", "Other W4vb", "oth.w4vb@example.net", "W4vb question");
        MoonshotStub model = new MoonshotStub();
        model.defaultScenario(MoonshotStub.Scenario.ok("The Z9kq ", "answer"));
        Map<String, String> env = Map.of("KIMI_ADMIN_PASSWORD", ADMIN_PASSWORD, "KIMI_MODEL_BASE_URL", model.baseUrl(),
                "KIMI_MODEL_API_KEY", "sk-test-key");
        try (model; ServiceProcess service = ServiceBackend.service(data, env).start()) {
            GraphQlClient client = service.client();
            register(client, name, email, username);
            register(client, "Other W4vb", "oth.w4vb@example.net", "oth_w4vb_user");
            String other = login(client, "oth_w4vb_user", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
            assertThat(accepted(client, other, SEND, Map.of("input", Map.of("content", "W4vb question")))).isNotNull();

            // two devices
            String desktop = login(client, username, DESKTOP);
            String phone = login(client, email, PHONE);
            JsonNode sessions = client.executeAs(phone, SESSIONS, Map.of()).data().path("sessions");
            assertThat(sessions).hasSize(2);
            assertThat(sessions.findValuesAsText("deviceType")).containsExactlyInAnyOrder("desktop", "mobile");
            assertThat(sessions.findValuesAsText("os")).containsExactlyInAnyOrder("Windows", "iOS");
            assertThat(sessions.findValuesAsText("browser")).contains("Mobile Safari");
            for (JsonNode s : sessions) {
                assertThat(s.path("current").asBoolean()).isEqualTo(s.path("os").asText().equals("iOS"));
                assertThat(s.path("ipAddress").asText()).isNotBlank();
                assertThat(s.path("lastSeenAt").isNull()).isFalse();
            }
            // prompts, one conversation deleted
            String kept = accepted(client, desktop, SEND, Map.of("input", Map.of("content", keptPrompt)));
            String deleted = accepted(client, desktop, SEND, Map.of("input", Map.of("content", deletedPrompt)));
            awaitAnswer(client, desktop, kept);
            awaitAnswer(client, desktop, deleted);
            assertThat(client.executeAs(desktop, "mutation D($id: ID!) { deleteConversation(id: $id) }",
                    Map.of("id", deleted)).data().path("deleteConversation").asBoolean()).isTrue();
            // choices, policy acceptance, rectification
            JsonNode choices = client.executeAs(desktop, CHOICES, Map.of("input", Map.of("modelImprovement", true)))
                    .data().path("setPrivacyChoices");
            assertThat(choices.path("modelImprovement").asBoolean()).isTrue();
            assertThat(choices.path("productEmails").asBoolean()).isFalse();
            JsonNode policy = client.executeAs(desktop, ACCEPT, Map.of("v", Operations.POLICY)).data().path("acceptPolicy");
            assertThat(policy.path("acceptedVersion").asText()).isEqualTo(Operations.POLICY);
            JsonNode noPassword = client.executeAs(desktop, UPDATE_PROFILE, Map.of("input", Map.of("email", newEmail)))
                    .data().path("updateProfile");
            assertThat(noPassword.path("__typename").asText()).isEqualTo("InvalidCredentials");
            JsonNode taken = client.executeAs(desktop, UPDATE_PROFILE, Map.of("input", Map.of("email",
                    "oth.w4vb@example.net", "currentPassword", PASSWORD))).data().path("updateProfile");
            assertThat(taken.path("__typename").asText()).isEqualTo("AlreadyTaken");
            JsonNode updated = client.executeAs(desktop, UPDATE_PROFILE, Map.of("input", Map.of("name", renamed,
                    "email", newEmail, "currentPassword", PASSWORD))).data().path("updateProfile");
            assertThat(updated.path("account").path("email").asText()).as(updated.toString()).isEqualTo(newEmail);
            // the old email is free again, the new one signs in
            assertThat(client.execute(LOGIN, loginInput(email, PASSWORD)).data().path("login").path("__typename")
                    .asText()).isEqualTo("InvalidCredentials");
            login(client, newEmail, PHONE);

            // the export
            String exportId = client.executeAs(desktop, REQUEST_EXPORT, Map.of()).data().path("requestDataExport")
                    .path("id").asText();
            JsonNode export = awaitExport(client, desktop, exportId);
            assertThat(client.executeAs(other, EXPORT, Map.of("id", exportId)).data().path("dataExport").isNull())
                    .as("another person sees nothing of it").isTrue();
            String url = export.path("downloadUrl").asText();
            assertThat(download(service, url, Map.of("Authorization", "Bearer " + other)).statusCode()).isEqualTo(404);
            assertThat(download(service, url, Map.of()).statusCode()).isEqualTo(401);
            HttpResponse<byte[]> zip = download(service, url, Map.of("Cookie", "KIMI_SESSION=" + desktop));
            assertThat(zip.statusCode()).isEqualTo(200);
            Map<String, String> entries = unzip(zip.body());
            assertThat(entries).containsOnlyKeys("export.json", "summary.txt");
            String json = entries.get("export.json");
            for (String marker : List.of(username, name, email, renamed, newEmail, keptPrompt, answer)) {
                assertThat(json).as("export holds %s", marker).contains(marker);
            }
            assertThat(json).contains("PrivacyChoicesSetEvent", "\"modelImprovement\" : true", "PolicyAcceptedEvent",
                    "DeviceRecordedEvent", "Mobile Safari", "Windows", "DataExportRequestedEvent",
                    "ConversationDeletedEvent", "AnswerRecordedEvent", "\"usage\"", "\"credits\"");
            assertThat(json).doesNotContain(deletedPrompt).doesNotContain("passwordHash");
            assertThat(entries.get("summary.txt")).contains(renamed, newEmail);
            for (String marker : otherMarkers) {
                assertThat(json + entries.get("summary.txt")).as("nothing of the other person").doesNotContain(marker);
            }

            // erasure shreds the export
            String requestId = client.executeAs(desktop, REQUEST_ERASURE, Map.of("u", username)).data()
                    .path("requestErasure").path("request").path("id").asText();
            awaitErasure(client, login(client, "admin", DESKTOP), requestId);
            // the login from the phone after the desktop one was a new device: a notice went out (ids only)
            long noticeDeadline = System.currentTimeMillis() + 15_000;
            while (!service.log().contains("(NEW_DEVICE, ") && System.currentTimeMillis() < noticeDeadline) {
                Thread.sleep(100);
            }
            assertThat(service.log()).contains("(NEW_DEVICE, ");
            assertThat(download(service, url, Map.of("Authorization", "Bearer " + desktop)).statusCode()).isIn(401, 404);
            service.stop();
            assertThat(StoreFiles.filesContaining(data, List.of(temp.resolve("data-service.log")), markers))
                    .as("clear personal data anywhere after erasure").isEmpty();
            try (Stream<Path> files = Files.list(data.resolve("exports"))) {
                assertThat(files.map(p -> p.getFileName().toString())).contains(exportId + ".zip.enc");
            }
            try (Connection vault = StoreFiles.store(data, "vault");
                 PreparedStatement ps = vault.prepareStatement("SELECT state, sealed FROM scope_key WHERE scope = ?")) {
                ps.setString(1, "export:" + exportId);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as("the export's key row").isTrue();
                    assertThat(rs.getString(1)).isEqualTo("DESTROYED");
                    assertThat(rs.getBytes(2)).as("its wrapped key: the file can never be read again").isNull();
                }
            }
        }
    }

    @Test
    void aNewPolicyVersionHoldsBackMutationsUntilAcceptedWhileExportAndErasureStillWork() throws Exception {
        Path data = temp.resolve("data");
        String apiKey;
        Map<String, String> env = Map.of("KIMI_ADMIN_PASSWORD", ADMIN_PASSWORD);
        try (ServiceProcess service = ServiceBackend.service(data, env).start()) {
            register(service.client(), "Policy Person", "policy.person@example.net", "policy_person");
            register(service.client(), "Policy Eraser", "policy.eraser@example.net", "policy_eraser");
            apiKey = OpenAiEndToEndIT.createKey(service.client(), login(service.client(), "policy_person", DESKTOP),
                    Map.of("label", "policy key")).path("secret").asText();
        }
        Map<String, String> newPolicy = new HashMap<>(env);
        newPolicy.put("KIMI_POLICY_VERSION", "2026-07");
        newPolicy.put("KIMI_POLICY_EFFECTIVE_FROM", "2026-01-15T00:00:00Z");
        newPolicy.put("KIMI_NOTICES_DELIVER_EVERY", "PT0.2S");
        try (ServiceProcess service = ServiceBackend.service(data, newPolicy).start()) {
            GraphQlClient client = service.client();
            String token = login(client, "policy_person", DESKTOP);
            JsonNode policy = client.executeAs(token, POLICY, Map.of()).data().path("policy");
            assertThat(policy.path("currentVersion").asText()).isEqualTo("2026-07");
            assertThat(policy.path("acceptedVersion").asText()).isEqualTo(Operations.POLICY);
            assertThat(policy.path("acceptanceRequired").asBoolean()).isTrue();
            // held back: a union member where the result has one, else a typed error
            JsonNode send = client.executeAs(token, SEND, Map.of("input", Map.of("content", "hello"))).data()
                    .path("sendPrompt");
            assertThat(send.path("__typename").asText()).isEqualTo("PolicyAcceptanceRequired");
            assertThat(send.path("currentVersion").asText()).isEqualTo("2026-07");
            assertThat(client.executeAs(token, UPDATE_PROFILE, Map.of("input", Map.of("name", "New Name"))).data()
                    .path("updateProfile").path("__typename").asText()).isEqualTo("PolicyAcceptanceRequired");
            // /v1 holds prompts back too, in OpenAI's error shape
            HttpResponse<String> v1 = chatCompletion(service, apiKey);
            assertThat(v1.statusCode()).as(v1.body()).isEqualTo(403);
            assertThat(v1.body()).contains("\"code\":\"policy_acceptance_required\"").contains("2026-07");
            GraphQlClient.Response choices = client.executeAs(token, CHOICES, Map.of("input", Map.of("productEmails", true)));
            assertThat(choices.errors().get(0).path("extensions").path("code").asText())
                    .isEqualTo("POLICY_ACCEPTANCE_REQUIRED");
            // reads still work; export works
            assertThat(client.executeAs(token, ME, Map.of()).data().path("me").path("name").asText()).isEqualTo("Policy Person");
            String exportId = client.executeAs(token, REQUEST_EXPORT, Map.of()).data().path("requestDataExport")
                    .path("id").asText();
            assertThat(awaitExport(client, token, exportId).path("status").asText()).isEqualTo("READY");
            // erasure works for someone who has not accepted either
            String eraser = login(client, "policy_eraser", DESKTOP);
            JsonNode erasure = client.executeAs(eraser, REQUEST_ERASURE, Map.of("u", "policy_eraser")).data()
                    .path("requestErasure");
            assertThat(erasure.path("__typename").asText()).isEqualTo("ErasureRequested");
            // a wrong version is refused; the current one unblocks
            assertThat(client.executeAs(token, ACCEPT, Map.of("v", "2025-01")).errors().get(0).path("extensions")
                    .path("code").asText()).isEqualTo("VALIDATION_FAILED");
            JsonNode accepted = client.executeAs(token, ACCEPT, Map.of("v", "2026-07")).data().path("acceptPolicy");
            assertThat(accepted.path("acceptanceRequired").asBoolean()).isFalse();
            assertThat(client.executeAs(token, SEND, Map.of("input", Map.of("content", "hello"))).data()
                    .path("sendPrompt").path("__typename").asText()).isEqualTo("PromptAccepted");
            HttpResponse<String> accepted1 = chatCompletion(service, apiKey);
            assertThat(accepted1.statusCode()).as(accepted1.body()).isEqualTo(200);
            assertThat(client.executeAs(token, CHOICES, Map.of("input", Map.of("productEmails", true))).data()
                    .path("setPrivacyChoices").path("productEmails").asBoolean()).isTrue();
            // everyone who had not accepted got a notice through the (logging) sender, without personal data
            long deadline = System.currentTimeMillis() + 10_000;
            while (!service.log().contains("POLICY_CHANGED") && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertThat(service.log()).contains("(POLICY_CHANGED, 2026-07)").doesNotContain("policy.person@example.net");
        }
    }

    @Test
    void aRevokedSessionStopsWorkingAtOnceOverHttpAndWebSocket() throws Exception {
        Path data = temp.resolve("data");
        try (ServiceProcess service = ServiceBackend.service(data, Map.of()).start()) {
            GraphQlClient client = service.client();
            register(client, "Revoke Person", "revoke.person@example.net", "revoke_person");
            String keeper = login(client, "revoke_person", DESKTOP);
            String revoked = login(client, "revoke_person", PHONE);
            URI ws = service.webSocketUri();
            try (GraphQlWsClient socket = GraphQlWsClient.connect(ws, Map.of("Authorization", "Bearer " + revoked))) {
                assertThat(socket.execute(ME, Map.of()).path("data").path("me").path("username").asText())
                        .isEqualTo("revoke_person");
                String sessionId = null;
                for (JsonNode s : client.executeAs(keeper, SESSIONS, Map.of()).data().path("sessions")) {
                    if (!s.path("current").asBoolean()) {
                        sessionId = s.path("id").asText();
                    }
                }
                assertThat(client.executeAs(keeper, REVOKE, Map.of("id", sessionId)).data().path("revokeSession")
                        .asBoolean()).isTrue();
                // at once: the token, the cookie, the open socket and a new socket
                assertThat(client.executeAs(revoked, ME, Map.of()).data().path("me").isNull()).isTrue();
                assertThat(client.execute(ME, Map.of(), Map.of("Cookie", "KIMI_SESSION=" + revoked)).data().path("me")
                        .isNull()).isTrue();
                assertThat(socket.execute(ME, Map.of()).path("data").path("me").isNull()).isTrue();
            }
            ConnectionRefusedException refused = catchThrowableOfType(() -> GraphQlWsClient.connect(ws,
                    Map.of("Authorization", "Bearer " + revoked)), ConnectionRefusedException.class);
            assertThat(refused.closed().code()).isEqualTo(4401);
            // the other session is untouched; revoking it twice or someone else's answers false
            assertThat(client.executeAs(keeper, ME, Map.of()).data().path("me").path("username").asText())
                    .isEqualTo("revoke_person");
            assertThat(client.executeAs(keeper, REVOKE, Map.of("id", "no-such-session")).data().path("revokeSession")
                    .asBoolean()).isFalse();
            assertThat(client.executeAs(keeper, SESSIONS, Map.of()).data().path("sessions")).hasSize(1);
        }
    }

    private static void register(GraphQlClient client, String name, String email, String username) throws Exception {
        JsonNode result = client.execute(REGISTER, registerInput(name, email, username, PASSWORD)).data().path("register");
        assertThat(result.path("__typename").asText()).as(result.toString()).isEqualTo("Registered");
    }

    private static HttpResponse<String> chatCompletion(ServiceProcess service, String apiKey) throws Exception {
        String model = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/v1/models"))
                .header("Authorization", "Bearer " + apiKey).build(), HttpResponse.BodyHandlers.ofString()).body()
                .replaceAll("(?s).*?\"id\":\"([^\"]+)\".*", "$1");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String login(GraphQlClient client, String user, String userAgent) throws Exception {
        String password = user.equals("admin") ? ADMIN_PASSWORD : PASSWORD;
        GraphQlClient.Response response = client.execute(LOGIN, loginInput(user, password), Map.of("User-Agent", userAgent));
        JsonNode login = response.data().path("login");
        assertThat(login.path("__typename").asText()).as(response.raw()).isEqualTo("LoggedIn");
        return login.path("token").asText();
    }

    private static String accepted(GraphQlClient client, String token, String query, Map<String, ?> variables)
            throws Exception {
        JsonNode result = client.executeAs(token, query, variables).data().path("sendPrompt");
        assertThat(result.path("__typename").asText()).as(result.toString()).isEqualTo("PromptAccepted");
        return result.path("conversationId").asText();
    }

    private static void awaitAnswer(GraphQlClient client, String token, String conversationId) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (client.executeAs(token, PromptsIT.CONVERSATION, Map.of("id", conversationId)).data().path("conversation")
                    .path("messages").size() == 2) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no answer in " + conversationId);
    }

    static JsonNode awaitExport(GraphQlClient client, String token, String exportId) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            JsonNode export = client.executeAs(token, EXPORT, Map.of("id", exportId)).data().path("dataExport");
            if (export.path("status").asText().equals("READY")) {
                assertThat(export.path("progress").asInt()).isEqualTo(100);
                assertThat(export.path("expiresAt").isNull()).isFalse();
                return export;
            }
            assertThat(export.path("status").asText()).as(export.toString()).isEqualTo("PENDING");
            Thread.sleep(100);
        }
        throw new AssertionError("export " + exportId + " not ready");
    }

    private static void awaitErasure(GraphQlClient client, String adminToken, String requestId) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            for (JsonNode edge : client.executeAs(adminToken, ERASURES, Map.of()).data().path("erasureRequests").path("edges")) {
                if (edge.path("node").path("id").asText().equals(requestId)
                        && edge.path("node").path("status").asText().equals("COMPLETED")) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("erasure " + requestId + " did not complete");
    }

    static HttpResponse<byte[]> download(ServiceProcess service, String path, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                .timeout(Duration.ofSeconds(30)).GET();
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static Map<String, String> unzip(byte[] zip) throws Exception {
        Map<String, String> entries = new HashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                entries.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return entries;
    }
}
