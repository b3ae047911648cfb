package net.kimik2.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replay of every view through the service: the admin lists the view processors, asks for {@code replayViews} of
 * all of them, and polls {@code viewProcessors} every 50 ms until each is caught up at the head. events/s = the
 * head position over the wall time. The views must then still serve: {@code me} of an account the run made.
 * Settings: {@code replay} (comma-separated processors; default all), {@code replayTimeout} (600 s).
 */
record ReplayScenario(Harness h) {

    void run() throws Exception {
        Api api = h.api();
        String admin = api.login("admin", h.adminPassword);
        // an account of our own, to check the rebuilt views by
        Api.Account account = api.register("replay_" + h.runId + "_" + System.nanoTime(), "Replay Check");
        String token = api.login(account);
        api.awaitBalance(token, -1, 0, h.settleTimeout);
        api.awaitViewsCaughtUp(admin, h.settleTimeout);
        String only = h.settings.string("replay", "");
        List<String> processors = only.isBlank() ? List.copyOf(api.viewProcessors(admin).keySet())
                : List.of(only.split(","));
        Duration limit = Duration.ofSeconds(h.settings.integer("replayTimeout", 600));

        CpuWatch cpu = h.cpu();
        long start = System.nanoTime();
        api.replay(admin, processors);
        Map<String, Long> doneAfter = new LinkedHashMap<>();
        Map<String, JsonNode> last = Map.of();
        while (doneAfter.size() < processors.size()) {
            if (System.nanoTime() - start > limit.toNanos()) {
                throw new Api.BenchFailure("replay not done within " + limit.toSeconds() + " s; last status " + last.values());
            }
            Thread.sleep(50);
            last = api.viewProcessors(admin);
            for (String name : processors) {
                JsonNode status = last.get(name);
                if (status == null) {
                    throw new Api.BenchFailure("viewProcessors does not list " + name);
                }
                if (!status.path("error").isNull() && !status.path("error").isMissingNode()) {
                    throw new Api.BenchFailure("processor " + name + " in error: " + status);
                }
                if (!doneAfter.containsKey(name) && Api.caughtUp(status)) {
                    doneAfter.put(name, System.nanoTime() - start);
                }
            }
        }
        long wall = doneAfter.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        CpuWatch.Usage usage = cpu.usage();
        Map<String, JsonNode> finalStatus = last;
        long head = processors.stream().mapToLong(n -> finalStatus.get(n).path("headPosition").asLong(0)).max().orElse(0);
        api.me(token, account.id());
        h.report.row(new Report.Row("replay", "all " + processors.size() + " views, " + head + " events in the store",
                head / (wall / 1e9), "events/s", "wall time to caught up", Double.NaN, Double.NaN, usage.other(),
                Report.seconds(wall) + " wall; views serve again (me)"));
        StringBuilder each = new StringBuilder();
        doneAfter.forEach((name, nanos) -> each.append(each.length() == 0 ? "" : ", ").append(name).append(' ')
                .append(Report.seconds(nanos)));
        h.report.detail("replay", "caught up after", each.toString());
        h.report.detail("replay", "CPU during the replay", usage.toString());
    }
}
