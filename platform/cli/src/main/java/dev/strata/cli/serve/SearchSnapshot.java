package dev.strata.cli.serve;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The light columns of every trial of one search (id, ordinal, status, val_loss, params and the
 * components it uses), as of one moment: what the summary, the charts, the component statistics
 * and the order of the trial table are computed from, in memory. {@link SearchSnapshots} keeps it
 * up to date by reading only what changed, so polling a search of 10,000 trials every second
 * costs the search's process a few index lookups, not a scan of wide trial rows.
 *
 * @param trials in ordinal order
 * @param maxId the highest trial id seen (new trials of the search get higher ids)
 */
record SearchSnapshot(long searchId, String status, int budget, Instant finishedAt, List<Trial> trials, long maxId) {

    /**
     * One trial's light columns.
     *
     * @param valLoss NaN when NULL
     * @param params null when NULL
     * @param components distinct "slot component_id" pairs of its trial_component rows
     */
    record Trial(long id, int ordinal, String status, double valLoss, Long params, List<String> components) {

        /** Whether it counts as a result: ok or cached, with a validation loss (the views' rule). */
        boolean finished() {
            return ("ok".equals(status) || "cached".equals(status)) && !Double.isNaN(valLoss);
        }
    }

    long count(String status) {
        return trials.stream().filter(t -> t.status().equals(status)).count();
    }

    /** The finished trial with the lowest loss (the lowest id among equals), or null. */
    Trial best() {
        Trial best = null;
        for (Trial t : trials) {
            if (t.finished() && (best == null || t.valLoss() < best.valLoss() || (t.valLoss() == best.valLoss() && t.id() < best.id()))) {
                best = t;
            }
        }
        return best;
    }

    /** Finished trials as chart points {@code (id, ordinal, val_loss)}, in ordinal order. */
    List<TrialPoint> byOrdinal() {
        List<TrialPoint> out = new ArrayList<>();
        for (Trial t : trials) if (t.finished()) out.add(new TrialPoint(t.id(), t.ordinal(), t.valLoss()));
        return out;
    }

    /** Finished trials with a parameter count as points {@code (id, params, val_loss)}. */
    List<TrialPoint> bySize() {
        List<TrialPoint> out = new ArrayList<>();
        for (Trial t : trials) if (t.finished() && t.params() != null) out.add(new TrialPoint(t.id(), t.params(), t.valLoss()));
        return out;
    }

    /** The trials in the order the table shows them (only finished ones when ordered by loss). */
    List<Trial> ordered(DashboardQueries.TrialOrder order) {
        return switch (order) {
            case ORDINAL_ASC -> trials;
            case ORDINAL_DESC -> trials.reversed();
            case VAL_LOSS_ASC, VAL_LOSS_DESC -> {
                Comparator<Trial> byLoss = Comparator.comparingDouble(Trial::valLoss);
                if (order == DashboardQueries.TrialOrder.VAL_LOSS_DESC) byLoss = byLoss.reversed();
                yield trials.stream().filter(Trial::finished).sorted(byLoss.thenComparingInt(Trial::ordinal)).toList();
            }
        };
    }

    /**
     * Per slot kind and component, over finished trials (a trial counts once per component it
     * uses, in any layer): trials, mean and best validation loss, mean parameter count. The same
     * numbers as the {@code component_stats} view, sorted by kind, then mean loss.
     */
    List<ComponentStat> componentStats() {
        Map<String, double[]> acc = new LinkedHashMap<>(); // trials, sum loss, min loss, sum params, n params
        for (Trial t : trials) {
            if (!t.finished()) continue;
            for (String key : t.components()) {
                double[] a = acc.computeIfAbsent(key, k -> new double[] {0, 0, Double.POSITIVE_INFINITY, 0, 0});
                a[0]++;
                a[1] += t.valLoss();
                a[2] = Math.min(a[2], t.valLoss());
                if (t.params() != null) {
                    a[3] += t.params();
                    a[4]++;
                }
            }
        }
        List<ComponentStat> out = new ArrayList<>();
        acc.forEach((key, a) -> {
            int space = key.indexOf(' ');
            out.add(new ComponentStat(key.substring(0, space), key.substring(space + 1), (long) a[0], a[1] / a[0], a[2],
                    a[4] == 0 ? Double.NaN : a[3] / a[4]));
        });
        out.sort(Comparator.comparing(ComponentStat::kind).thenComparingDouble(ComponentStat::meanValLoss)
                .thenComparing(ComponentStat::componentId));
        return out;
    }

    /** One row of {@link #componentStats()}; meanParams is NaN when no trial has a parameter count. */
    record ComponentStat(String kind, String componentId, long trials, double meanValLoss, double bestValLoss, double meanParams) {}
}
