package net.kimik2.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Warm-up until throughput is stable: rounds (each measuring one or more kinds, e.g. ping and me) repeat until two
 * consecutive rounds of every kind are within {@code stableWithin} (relative) of each other, or {@code maxRounds}
 * have run. A cold JIT otherwise makes the first figures of a run - and every ratio between them - mislead.
 */
final class WarmUp {

    /** One warm-up round: the throughput of each kind, in a fixed order. */
    @FunctionalInterface
    interface Round {
        double[] run(int round) throws Exception;
    }

    /** How the warm-up went: the rounds run, whether they ended stable, and each round's figures. */
    record Outcome(int rounds, boolean stable, List<double[]> history) {

        String describe(double within, int maxRounds) {
            StringBuilder s = new StringBuilder(rounds + " round" + (rounds == 1 ? "" : "s"))
                    .append(stable ? " (stable: the last two within " + Report.percent(within) + ")"
                            : " (NOT stable within " + Report.percent(within) + " after the maximum of " + maxRounds + ")");
            s.append("; per round:");
            for (double[] r : history) {
                s.append(' ');
                for (int i = 0; i < r.length; i++) {
                    s.append(i == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.1f", r[i]));
                }
            }
            return s.toString();
        }
    }

    private WarmUp() {
    }

    static Outcome untilStable(int maxRounds, double within, Round round) throws Exception {
        List<double[]> history = new ArrayList<>();
        for (int r = 1; r <= maxRounds; r++) {
            double[] now = round.run(r);
            history.add(now);
            if (r >= 2 && stable(history.get(r - 2), now, within)) {
                return new Outcome(r, true, history);
            }
        }
        return new Outcome(maxRounds, false, history);
    }

    private static boolean stable(double[] previous, double[] current, double within) {
        for (int i = 0; i < current.length; i++) {
            double high = Math.max(previous[i], current[i]);
            if (high <= 0 || Math.abs(previous[i] - current[i]) / high > within) {
                return false;
            }
        }
        return true;
    }
}
