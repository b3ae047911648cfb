package net.kimik2.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code backends} (issue 15, ADR 0026): the single-node service on the embedded H2 default vs on an embedded
 * PostgreSQL (postgres profile, views in the service's embedded view store, so only the event store differs), one
 * after the other in one run: start-up to health, ping (the yardstick of each configuration), registrations,
 * prompts, event store bytes per 100,000 events (growth over the run / events written), and a crash check: a SIGKILL
 * while {@code c} clients register, a restart on the same data, and a login of every acknowledged registration.
 * Settings: {@code backends} (h2,postgres), {@code crash} (true), {@code crashSeconds} (5) and those of the scenarios.
 */
record BackendsScenario(Settings settings, Report report, Map<String, String> env) {

    void run() throws Exception {
        for (String backend : settings.string("backends", "h2,postgres").split(",")) {
            Report own = new Report(backend);
            try (Cluster cluster = backend.equals("h2") ? Cluster.embedded(settings, env)
                    : Cluster.postgres(settings, env, false)) {
                report.header(backend + ": " + cluster.describe());
                Cluster.Node node = cluster.start("node-1", own);
                Harness h = node.h;
                own.detail("store", "start-up, launch to health UP", Report.seconds(h.service().lastStartup().toNanos())
                        + (cluster.postgres == null ? "" : " (+ " + Report.seconds(cluster.postgresStartNanos)
                        + " to start PostgreSQL, binaries unpacked)"));
                long bytes0 = cluster.eventStoreBytes(node);
                long[] events0 = cluster.eventCount(node);
                try {
                    new HttpScenario(h, false).run();
                    new RegistrationScenario(h).run();
                    new PromptScenario(h, false).run(Double.NaN);
                } catch (Exception | AssertionError e) {
                    own.problem(backend + " aborted: " + e);
                }
                long bytes1 = cluster.eventStoreBytes(node);
                long[] events1 = cluster.eventCount(node);
                long written = events1[0] - events0[0];
                own.detail("store", "events written by the run (count in the store)", events0[0] + " -> " + events1[0]);
                own.detail("store", cluster.postgres == null ? "events.mv.db" : "pg_database_size(events)",
                        mib(bytes0) + " -> " + mib(bytes1));
                own.detail("store", "event store growth per 100,000 events", written <= 0 ? "n/a"
                        : mib((bytes1 - bytes0) * 100_000.0 / written) + " (total size per 100,000 events: "
                        + mib(bytes1 * 100_000.0 / events1[0]) + ")");
                if (cluster.postgres != null) {
                    own.detail("store", "PostgreSQL data directory (du, WAL and catalogs included)",
                            mib(Cluster.du(cluster.postgres.dataDirectory())));
                    own.detail("store", "durability as configured", cluster.postgresDurability());
                } else {
                    own.detail("store", "durability as configured", "H2 MVStore, `WRITE_DELAY=0` in the JDBC URL "
                            + "(application.yml): each commit is written to the file before it returns; no fsync");
                }
                if (settings.flag("crash", true)) {
                    crash(cluster, node, own);
                }
            }
            report.absorb(backend, own);
        }
    }

    /** Registrations from C clients; SIGKILL after crashSeconds; restart; every acknowledged one must log in. */
    private void crash(Cluster cluster, Cluster.Node node, Report own) throws Exception {
        Harness h = node.h;
        int clients = settings.integer("c", 4);
        long killAfter = settings.integer("crashSeconds", 5) * 1000L;
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        int[] failedAfterKill = new int[clients];
        for (int c = 0; c < clients; c++) {
            int client = c;
            Api api = h.api(); // the api of the node before the kill: requests after it fail
            Thread t = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String username = "crash_" + h.runId + "_" + client + "_" + i;
                    try {
                        api.register(username, "Crash Check " + i);
                        acknowledged.add(username);
                    } catch (RuntimeException e) {
                        failedAfterKill[client]++;
                        return;
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        Thread.sleep(killAfter);
        h.service().kill();
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
        cluster.restart(node);
        int found = 0;
        List<String> lost = new ArrayList<>();
        for (String username : acknowledged) {
            try {
                h.api().login(username, Api.PASSWORD);
                found++;
            } catch (RuntimeException e) {
                lost.add(username);
            }
        }
        own.detail("crash", "SIGKILL during registrations from C=" + clients + " after " + killAfter / 1000 + " s",
                String.format(Locale.ROOT, "%d acknowledged, %d log in after the restart, %d lost%s; restart to health %s",
                        acknowledged.size(), found, lost.size(), lost.isEmpty() ? "" : " (first: " + lost.get(0) + ")",
                        Report.seconds(h.service().lastStartup().toNanos())));
        if (!lost.isEmpty()) {
            own.problem("crash: " + lost.size() + " acknowledged registrations lost after a SIGKILL");
        }
    }

    static String mib(double bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
