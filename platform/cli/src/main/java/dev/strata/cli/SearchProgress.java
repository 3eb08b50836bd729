package dev.strata.cli;

import dev.strata.core.search.SearchListener;
import dev.strata.core.training.TrialResult;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar over the trial budget, showing the best validation loss so far. */
final class SearchProgress implements SearchListener, AutoCloseable {

    private final ProgressBar bar;
    private boolean closed;

    SearchProgress(int budget, boolean quiet) {
        this.bar = quiet ? null : new ProgressBarBuilder()
                .setTaskName("trials")
                .setInitialMax(budget)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .continuousUpdate()
                .build();
    }

    @Override
    public void trialFinished(int ordinal, long trialId, TrialResult result, double best) {
        if (bar == null) return;
        bar.step();
        bar.setExtraMessage(Double.isFinite(best) ? String.format(Locale.ROOT, "best val_loss %.4f", best) : "no success yet");
    }

    @Override
    public void close() {
        if (bar != null && !closed) bar.close();
        closed = true;
    }
}
