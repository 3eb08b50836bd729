package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.core.results.ResultsStore;
import dev.strata.core.results.TrialSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Early stopping with real training in worker processes: the thresholds travel in the worker
 * protocol, the trainer stops, and the search summary counts the stopped trials and the steps
 * saved. Also checks that every trial records the flops_per_token and peak_memory_mb metrics.
 */
class EarlyStoppingCliTest {

    @TempDir
    static Path dir;
    static Path plugins;

    /** Random search (its candidates do not improve over time, so about half fall behind the median). */
    static final String SPACE = """
            name: early-stop
            seed: 2
            task: {id: task.mqar, params: {pairs: 4, vocab: 32, validation_size: 64}}
            model:
              d_model: [16, 32]
              depth: [1, 2]
              token_mixer: [attention.mha, mixer.short_conv, mixer.token_shift]
              channel_mixer: {mixer.mlp: {expansion: 2}}
              norm: norm.rms
              residual: residual.pre_norm
            recipe: {steps: 24, batch: 16, lr: 3e-3, eval_every: 6}
            strategy: {name: random}
            budget: {trials: 10}
            fidelity: {early_stop: true}
            """;

    @BeforeAll
    static void plugins() throws Exception {
        plugins = TestPlugins.copyBuiltIn(dir.resolve("plugins"));
    }

    @Test
    void hopelessTrialsStopAndTheSummarySaysHowManyStepsThatSaved() throws Exception {
        Path space = dir.resolve("early.yaml");
        Files.writeString(space, SPACE);
        Path db = dir.resolve("db/strata");
        Cli r = Cli.run("search", space.toString(), "--db", db.toString(), "--plugins", plugins.toString(), "--quiet");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        System.out.println(r.out());
        Matcher m = Pattern.compile("early stopping \\(median rule on val_loss\\): (\\d+) of the trials trained stopped early, ([\\d,]+) of ([\\d,]+) steps saved")
                .matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        int stopped = Integer.parseInt(m.group(1));
        long saved = Long.parseLong(m.group(2).replace(",", ""));
        assertThat(Long.parseLong(m.group(3).replace(",", ""))).isEqualTo(10 * 24);

        try (ResultsStore store = ResultsStore.open(ResultsStore.fileUrl(db))) {
            List<TrialSummary> trials = store.trials(store.searches().getFirst().id());
            assertThat(trials).hasSize(10).allSatisfy(t -> assertThat(t.status()).isEqualTo("ok"));
            long stoppedInDb = 0;
            long savedInDb = 0;
            for (TrialSummary t : trials) {
                Map<String, Double> metrics = store.metrics(t.id());
                assertThat(metrics.get("flops_per_token")).as("trial " + t.id()).isGreaterThan(0).isLessThan(6.0 * t.params() + 12.0 * 16 * 32 * 2);
                assertThat(metrics.get("peak_memory_mb")).as("trial " + t.id()).isGreaterThan(0);
                Double at = metrics.get("stopped_at_step");
                if (at != null) {
                    stoppedInDb++;
                    savedInDb += 24 - Math.round(at);
                    assertThat(at).isIn(6.0, 12.0, 18.0);
                    assertThat(store.curve(t.id()).stream().filter(p -> p.split().equals("val")).toList().getLast().step()).isEqualTo((int) Math.round(at));
                }
            }
            assertThat(stopped).as("trials stopped early").isPositive().isEqualTo((int) stoppedInDb);
            assertThat(saved).isEqualTo(savedInDb).isPositive();
        }
    }
}
