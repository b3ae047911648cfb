package net.kimik2.app.e2e;

import static net.kimik2.app.e2e.Operations.LEDGER;
import static net.kimik2.app.e2e.Operations.LOGIN;
import static net.kimik2.app.e2e.Operations.LOGOUT;
import static net.kimik2.app.e2e.Operations.ME;
import static net.kimik2.app.e2e.Operations.REGISTER;
import static net.kimik2.app.e2e.Operations.loginInput;
import static net.kimik2.app.e2e.Operations.registerInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import net.kimik2.testsupport.platform.GraphQlClient;
import net.kimik2.testsupport.platform.ServiceBackend;
import net.kimik2.testsupport.platform.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Accounts and signup credits through the public GraphQL API of the packaged service on its embedded default. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountsEndToEndIT {

    private static final long SIGNUP_CREDITS = 123_456;
    private static final String PASSWORD = "a long enough passphrase";

    private ServiceProcess service;
    private GraphQlClient client;

    @BeforeAll
    void start(@TempDir Path temp) throws Exception {
        service = ServiceBackend.service(temp.resolve("data"), Map.of("KIMI_SIGNUP_CREDITS", Long.toString(SIGNUP_CREDITS)))
                .start();
        client = service.client();
    }

    @AfterAll
    void stop() throws Exception {
        service.close();
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private JsonNode register(String name, String email, String username, String password) throws Exception {
        var response = client.execute(REGISTER, registerInput(name, email, username, password));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.errors().isMissingNode()).as(response.raw()).isTrue();
        return response.data().path("register");
    }

    private String login(String usernameOrEmail, String password) throws Exception {
        JsonNode login = client.execute(LOGIN, loginInput(usernameOrEmail, password)).data().path("login");
        assertThat(login.path("__typename").asText()).isEqualTo("LoggedIn");
        return login.path("token").asText();
    }

    @Test
    void registrationGrantsTheConfiguredSignupCreditsAndMeShowsThem() throws Exception {
        String username = unique("grace_");
        JsonNode result = register("Grace Hopper", username + "@Example.org", username, PASSWORD);

        assertThat(result.path("__typename").asText()).isEqualTo("Registered");
        JsonNode account = result.path("account");
        assertThat(account.path("username").asText()).isEqualTo(username);
        assertThat(account.path("name").asText()).isEqualTo("Grace Hopper");
        assertThat(account.path("email").asText()).isEqualTo(username + "@example.org");
        assertThat(account.path("credits").path("available").asLong()).isEqualTo(SIGNUP_CREDITS);
        assertThat(account.path("credits").path("held").asLong()).isZero();
        assertThat(account.path("credits").path("debt").asLong()).isZero();

        String token = login(username, PASSWORD);
        JsonNode me = client.executeAs(token, ME, Map.of()).data().path("me");
        assertThat(me.path("id").asText()).isEqualTo(account.path("id").asText());
        assertThat(me.path("credits").path("available").asLong()).isEqualTo(SIGNUP_CREDITS);

        JsonNode ledger = client.executeAs(token, LEDGER, Map.of()).data().path("creditLedger");
        assertThat(ledger.path("edges")).hasSize(1);
        JsonNode grant = ledger.path("edges").get(0).path("node");
        assertThat(grant.path("kind").asText()).isEqualTo("grant");
        assertThat(grant.path("amount").asLong()).isEqualTo(SIGNUP_CREDITS);
        assertThat(grant.path("reference").asText()).isEqualTo("signup");
        assertThat(ledger.path("pageInfo").path("hasNextPage").asBoolean()).isFalse();
    }

    @Test
    void duplicateEmailOrUsernameIsAlreadyTakenAndLeavesTheFirstAccountIntact() throws Exception {
        String username = unique("dup_");
        String email = username + "@example.com";
        assertThat(register("First", email, username, PASSWORD).path("__typename").asText()).isEqualTo("Registered");

        JsonNode sameEmail = register("Second", email.toUpperCase(), unique("other_"), PASSWORD);
        assertThat(sameEmail.path("__typename").asText()).isEqualTo("AlreadyTaken");
        assertThat(sameEmail.path("field").asText()).isEqualTo("email");

        JsonNode sameUsername = register("Third", unique("x") + "@example.com", username, PASSWORD);
        assertThat(sameUsername.path("__typename").asText()).isEqualTo("AlreadyTaken");
        assertThat(sameUsername.path("field").asText()).isEqualTo("username");

        // the failed attempts claimed nothing: the second email is still free
        String freeEmail = unique("free") + "@example.com";
        JsonNode rejected = register("Fourth", freeEmail, username, PASSWORD);
        assertThat(rejected.path("__typename").asText()).isEqualTo("AlreadyTaken");
        assertThat(register("Fifth", freeEmail, unique("fifth_"), PASSWORD).path("__typename").asText())
                .isEqualTo("Registered");

        String token = login(email, PASSWORD);
        assertThat(client.executeAs(token, ME, Map.of()).data().path("me").path("name").asText()).isEqualTo("First");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "bad email,        Ann, not-an-email,   GOOD,   a long enough passphrase, email",
            "short username,   Ann, GOOD,           ab,     a long enough passphrase, username",
            "upper username,   Ann, GOOD,           Abcdef, a long enough passphrase, username",
            "short password,   Ann, GOOD,           GOOD,   short,                    password",
            "password=user,    Ann, GOOD,           GOOD,   SAME_AS_USERNAME,         password",
            "blank name,       ' ', GOOD,           GOOD,   a long enough passphrase, name",
    })
    void badInputIsValidationFailedNamingTheField(String label, String name, String email, String username,
                                                  String password, String field) throws Exception {
        String user = username.equals("GOOD") ? unique("val_") : username;
        String mail = email.equals("GOOD") ? unique("val") + "@example.com" : email;
        String pass = password.equals("SAME_AS_USERNAME") ? user : password;
        JsonNode result = register(name, mail, user, pass);
        assertThat(result.path("__typename").asText()).isEqualTo("ValidationFailed");
        assertThat(result.path("invalidField").asText()).isEqualTo(field);
        assertThat(result.path("message").asText()).isNotBlank().doesNotContain(mail);
    }

    @Test
    void oldPolicyVersionIsRejected() throws Exception {
        Map<String, Object> input = new HashMap<>(Map.of("name", "Ann", "email", unique("p") + "@example.com",
                "username", unique("pol_"), "password", PASSWORD, "acceptedPolicyVersion", "2019-01"));
        JsonNode result = client.execute(REGISTER, Map.of("input", input)).data().path("register");
        assertThat(result.path("__typename").asText()).isEqualTo("ValidationFailed");
        assertThat(result.path("invalidField").asText()).isEqualTo("acceptedPolicyVersion");
    }

    @Test
    void loginSetsAnHttpOnlyCookieThatAuthenticatesAndLogoutEndsTheSession() throws Exception {
        String username = unique("cookie_");
        register("Cookie Monster", username + "@example.com", username, PASSWORD);

        var login = client.execute(LOGIN, loginInput(username + "@EXAMPLE.com", PASSWORD));
        String token = login.data().path("login").path("token").asText();
        assertThat(login.setCookies()).anySatisfy(c -> assertThat(c)
                .startsWith("KIMI_SESSION=" + token).contains("HttpOnly").contains("SameSite=Lax"));

        Map<String, String> cookie = Map.of("Cookie", "KIMI_SESSION=" + token);
        assertThat(client.execute(ME, Map.of(), cookie).data().path("me").path("username").asText()).isEqualTo(username);

        var logout = client.execute(LOGOUT, Map.of(), cookie);
        assertThat(logout.data().path("logout").asBoolean()).isTrue();
        assertThat(logout.setCookies()).anySatisfy(c -> assertThat(c).startsWith("KIMI_SESSION=;").contains("Max-Age=0"));

        assertThat(client.execute(ME, Map.of(), cookie).data().path("me").isNull()).isTrue();
        assertThat(client.executeAs(token, ME, Map.of()).data().path("me").isNull()).isTrue();
    }

    @Test
    void wrongPasswordAndUnknownUserAreTheSameInvalidCredentials() throws Exception {
        String username = unique("pw_");
        register("Pat", username + "@example.com", username, PASSWORD);
        JsonNode wrong = client.execute(LOGIN, loginInput(username, "not the passphrase")).data().path("login");
        JsonNode unknown = client.execute(LOGIN, loginInput(unique("nobody_"), PASSWORD)).data().path("login");
        assertThat(wrong.path("__typename").asText()).isEqualTo("InvalidCredentials");
        assertThat(unknown.path("__typename").asText()).isEqualTo("InvalidCredentials");
        assertThat(wrong.path("message").asText()).isEqualTo(unknown.path("message").asText());
    }

    @Test
    void meWithoutOrWithABadTokenIsNull() throws Exception {
        var anonymous = client.execute(ME, Map.of());
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(anonymous.data().has("me")).isTrue();
        assertThat(anonymous.data().path("me").isNull()).isTrue();

        assertThat(client.executeAs("v1.forged.token", ME, Map.of()).data().path("me").isNull()).isTrue();
        assertThat(client.executeAs("garbage", ME, Map.of()).data().path("me").isNull()).isTrue();
    }

    @Test
    void creditLedgerNeedsACallerAndValidatesItsArguments() throws Exception {
        var anonymous = client.execute(LEDGER, Map.of());
        assertThat(anonymous.errors().get(0).path("extensions").path("code").asText()).isEqualTo("UNAUTHENTICATED");

        String username = unique("led_");
        register("Led", username + "@example.com", username, PASSWORD);
        String token = login(username, PASSWORD);
        var tooMany = client.executeAs(token, LEDGER, Map.of("first", 1000));
        assertThat(tooMany.errors().get(0).path("extensions").path("field").asText()).isEqualTo("first");
        var badCursor = client.executeAs(token, LEDGER, Map.of("after", "not-a-cursor"));
        assertThat(badCursor.errors().get(0).path("extensions").path("code").asText()).isEqualTo("VALIDATION_FAILED");
    }

    @Test
    void graphiqlOffersSavedExampleOperations() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var page = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(service.baseUrl() + "/graphiql"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("/graphiql/assets/graphiql-app.js").doesNotContain("https://");
        var script = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(service.baseUrl()
                + "/graphiql/assets/graphiql-app.js")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body()).contains("mutation Register").contains("query Me");
    }

    @Test
    void malformedRequestsGetClientErrorsWithoutInternals() throws Exception {
        var syntax = client.execute("{ me { id ", Map.of());
        assertThat(syntax.status()).isEqualTo(200);
        assertThat(syntax.errors().get(0).path("extensions").path("classification").asText()).isEqualTo("InvalidSyntax");

        var unknownField = client.execute("{ me { password } }", Map.of());
        assertThat(unknownField.errors().get(0).path("extensions").path("classification").asText())
                .isEqualTo("ValidationError");

        var missingInput = client.execute("mutation { register { __typename } }", Map.of());
        assertThat(missingInput.errors()).isNotEmpty();

        var wrongType = client.execute(REGISTER, Map.of("input", "not an object"));
        assertThat(wrongType.status()).isLessThan(500);
        assertThat(wrongType.errors()).isNotEmpty();

        var notJson = client.post("this is not json", "application/json", Map.of());
        assertThat(notJson.status()).isEqualTo(400);

        String deepQuery = "{ __schema { types { fields { type " + "{ ofType ".repeat(12) + "{ name }" + " }".repeat(12)
                + " } } } }";
        var deep = client.execute(deepQuery, Map.of());
        assertThat(deep.errors().get(0).path("message").asText()).contains("maximum query depth exceeded");

        StringBuilder wideQuery = new StringBuilder("{");
        for (int i = 0; i < 300; i++) {
            wideQuery.append(" a").append(i).append(": me { id credits { available } }");
        }
        var wide = client.execute(wideQuery.append(" }").toString(), Map.of());
        assertThat(wide.errors().get(0).path("message").asText()).contains("maximum query complexity exceeded");

        for (var response : java.util.List.of(syntax, unknownField, missingInput, wrongType, notJson, deep, wide)) {
            assertThat(response.status()).isLessThan(500);
            assertThat(response.raw()).doesNotContain("Exception").doesNotContain("at net.kimik2").doesNotContain("at org.");
        }
    }
}
