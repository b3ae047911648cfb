package net.kimik2.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How much CPU other processes took during a window: on a 2-core machine a concurrent build halves the figures,
 * so every window reports it next to its result. Linux only (/proc); elsewhere it reports "n/a".
 */
final class CpuWatch {

    // USER_HZ, the unit of /proc/stat and /proc/<pid>/stat; 100 on every mainstream Linux build
    private static final double TICKS_PER_SECOND = 100;

    private final long[] pids;
    private final long busyStart;
    private final long ownStart;
    private final long childrenStart = childTicks();
    private final long startNanos = System.nanoTime();

    private CpuWatch(long[] pids) {
        this.pids = pids;
        this.busyStart = machineBusyTicks();
        this.ownStart = ownTicks();
    }

    /** Starts a window; {@code pids} are ours (the service and the bench), the rest of the machine is "other". */
    static CpuWatch start(long... pids) {
        return new CpuWatch(pids);
    }

    /**
     * Average cores since the start: {@code ours} = the watched processes, {@code children} = reaped children of this
     * JVM (a load generator such as wrk, once waited for), {@code other} = the rest of the machine; NaN when /proc is
     * unavailable.
     */
    record Usage(double ours, double children, double other) {

        @Override
        public String toString() {
            return Double.isNaN(ours) ? "n/a" : String.format(Locale.ROOT,
                    "%.2f cores service + bench, %.2f cores other processes", ours, other);
        }
    }

    Usage usage() {
        long busy = machineBusyTicks();
        long own = ownTicks();
        long children = childTicks();
        if (busy < 0 || own < 0 || busyStart < 0 || ownStart < 0) {
            return new Usage(Double.NaN, Double.NaN, Double.NaN);
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double ours = (own - ownStart) / TICKS_PER_SECOND / seconds;
        double child = children < 0 || childrenStart < 0 ? 0 : (children - childrenStart) / TICKS_PER_SECOND / seconds;
        double other = Math.max(0, (busy - busyStart) - (own - ownStart)) / TICKS_PER_SECOND / seconds;
        return new Usage(ours, child, Math.max(0, other - child));
    }

    /** As {@link #usage()}, as text: "1.90 cores service + bench, 0.10 cores other processes". */
    String summary() {
        return usage().toString();
    }

    /** User + system CPU ticks of this JVM's reaped children (/proc/self/stat cutime + cstime); -1 when unavailable. */
    private static long childTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // fields after the parenthesised command name: state is [0], cutime [13], cstime [14]
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...: everything except idle and iowait is busy
            return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]) + Long.parseLong(f[8]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private long ownTicks() {
        long sum = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // fields after the parenthesised command name: state is [0], utime [11], stime [12]
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return sum;
    }
}
