package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code v1}: OpenAI-style chat completions on {@code /v1} with API keys (issue 14), from {@code c} (8) closed-loop
 * clients, every client its own person and key: {@code v1Requests} (500) non-streaming, then {@code v1StreamRequests}
 * (300) streamed (SSE to {@code data: [DONE]}, with {@code include_usage}). Beside {@code prompts} in the same run it
 * compares the two ways in. A 429 is counted and sent again after {@code busyBackoffMillis} (50). Afterwards every
 * account's balance must be its signup credits minus the {@code usage.cost_credits} it was told.
 */
record V1Scenario(Harness h) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CREATE_KEY = """
            mutation K($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename
              ... on ApiKeyCreated { secret } } }""";

    void run() throws Exception {
        int clients = h.settings.integer("c", 8);
        long signup = h.settings.number("signupCredits", 100_000_000);
        long busyBackoff = h.settings.integer("busyBackoffMillis", 50);
        int maxTokens = h.settings.integer("maxTokens", 0);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI url = URI.create(h.service().baseUrl() + "/v1/chat/completions");
        String model = h.api().client().data("{ models { id } }", Map.of(), null).at("/models/0/id").asText();

        List<String> tokens = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<AtomicLong> costs = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Api.Account account = h.api().register("v1_" + h.runId + "_" + i, "V1 Bench " + i);
            String token = h.api().login(account);
            tokens.add(token);
            keys.add(h.api().client().data(CREATE_KEY, Map.of("input", Map.of("label", "bench " + i)), token)
                    .at("/createApiKey/secret").asText());
            costs.add(new AtomicLong());
            h.api().awaitBalance(token, signup, 0, h.settleTimeout);
        }
        AtomicInteger limited = new AtomicInteger();
        for (boolean stream : new boolean[] {false, true}) {
            String name = stream ? "v1-stream" : "v1";
            int n = h.settings.integer(stream ? "v1StreamRequests" : "v1Requests", stream ? 300 : 500);
            Load.ClientTask task = (k, i) -> {
                String body = "{\"model\":\"" + model + "\"," + (maxTokens > 0 ? "\"max_tokens\":" + maxTokens + "," : "")
                        + (stream ? "\"stream\":true,\"stream_options\":{\"include_usage\":true}," : "")
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + name + " " + i + " " + System.nanoTime()
                        + "\"}]}";
                while (true) {
                    HttpResponse<String> r;
                    try {
                        r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
                                .header("Authorization", "Bearer " + keys.get(k))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                    } catch (Exception e) {
                        throw new Api.BenchFailure(name + ": " + e);
                    }
                    if (r.statusCode() == 429) {
                        limited.incrementAndGet();
                        sleep(busyBackoff);
                        continue;
                    }
                    if (r.statusCode() != 200) {
                        throw new Api.BenchFailure(name + ": HTTP " + r.statusCode() + " " + r.body());
                    }
                    costs.get(k).addAndGet(cost(r.body(), stream));
                    return;
                }
            };
            Load.Result warm = Load.count(Math.min(100, n), clients, task);
            if (!warm.failures().isEmpty()) {
                throw new Api.BenchFailure(name + " warm-up: " + warm.failures().get(0));
            }
            limited.set(0);
            CpuWatch cpu = h.cpu();
            Load.Result result = Load.count(n, clients, task);
            CpuWatch.Usage usage = cpu.usage();
            if (!result.failures().isEmpty()) {
                throw new Api.BenchFailure(name + ": " + result.failures().size() + " of " + n + " failed, first: "
                        + result.failures().get(0));
            }
            long[] latencies = result.latenciesNanos().clone();
            java.util.Arrays.sort(latencies);
            h.report.row(new Report.Row(name, clients + " people with an API key each, " + n + (stream
                    ? " streamed chat completions (SSE to [DONE])" : " chat completions"),
                    n / (result.wallNanos() / 1e9), "requests/s", "request to its last byte",
                    Report.percentileMillis(latencies, 0.5), Report.percentileMillis(latencies, 0.99), usage.other(),
                    n + " answered with usage, " + limited.get() + " 429 (sent again), 0 errors"));
            h.report.detail(name, "request to its last byte, p50 / p90 / p99 / max", Report.latencies(latencies));
        }
        int consistent = 0;
        for (int i = 0; i < clients; i++) {
            try {
                h.api().awaitBalance(tokens.get(i), signup - costs.get(i).get(), 0, h.settleTimeout);
                consistent++;
            } catch (Api.BenchFailure e) {
                h.report.problem("v1: ledger of client " + i + ": " + e.getMessage());
            }
        }
        h.report.detail("v1", "ledger after the run (available = signup - sum of usage.cost_credits, held 0, debt 0)",
                consistent + "/" + clients + " accounts consistent");
    }

    private static long cost(String body, boolean stream) {
        try {
            if (!stream) {
                return JSON.readTree(body).at("/usage/cost_credits").asLong();
            }
            if (!body.endsWith("data: [DONE]\n\n")) {
                throw new Api.BenchFailure("v1-stream: no [DONE] at the end");
            }
            for (String line : body.split("\n")) {
                if (line.startsWith("data: {") && line.contains("\"cost_credits\"")) {
                    JsonNode usage = JSON.readTree(line.substring(6)).path("usage");
                    return usage.path("cost_credits").asLong();
                }
            }
            throw new Api.BenchFailure("v1-stream: no usage chunk");
        } catch (java.io.IOException e) {
            throw new Api.BenchFailure("v1: unreadable answer " + e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Api.BenchFailure("interrupted");
        }
    }
}
