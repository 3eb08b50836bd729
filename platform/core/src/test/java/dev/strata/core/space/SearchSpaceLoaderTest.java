package dev.strata.core.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class SearchSpaceLoaderTest {

    public static final String VALID = """
            name: tiny
            seed: 3
            task: {id: task.toy, params: {size: 12}}
            model:
              d_model: [16, 32]
              depth: [1, 2]
              token_mixer: {attention.test: {heads: [1, 2]}}
              channel_mixer: {mixer.test_mlp: {expansion: search}}
              norm: [norm.a, norm.b]
              residual: residual.test
            recipe: {steps: 50, batch: 8, lr: 1e-3}
            strategy: {population: 4, tournament: 2}
            budget: {trials: 6}
            """;

    @TempDir
    Path dir;

    private final SearchSpaceLoader loader = new SearchSpaceLoader(SpaceFixtures.registry());

    @Test
    void loadsAValidSpaceWithDefaultsFilledIn() throws Exception {
        SearchSpace s = loader.load(SpaceFixtures.write(dir, "tiny.yaml", VALID));
        assertThat(s.name()).isEqualTo("tiny");
        assertThat(s.seed()).isEqualTo(3);
        assertThat(s.model().dModel()).containsExactly(16, 32);
        assertThat(s.model().options(Slot.TOKEN_MIXER).getFirst().params().getFirst().values()).containsExactly(1, 2);
        // 'search' takes the component's suggested values; unmentioned params are fixed at defaults.
        var mlp = s.model().options(Slot.CHANNEL_MIXER).getFirst();
        assertThat(mlp.params()).extracting(ParamChoice::name).containsExactly("expansion", "activation");
        assertThat(mlp.params().get(0).values()).containsExactly(2, 4);
        assertThat(mlp.params().get(1).values()).containsExactly("gelu");
        assertThat(s.model().options(Slot.FINAL_NORM)).isEqualTo(s.model().options(Slot.NORM));
        assertThat(s.recipe().learningRate()).isEqualTo(1e-3);
        assertThat(s.strategy().name()).isEqualTo("regularized-evolution");
        assertThat(s.task().baselineLoss()).isEqualTo(Math.log(12));
        assertThat(s.budgetTrials()).isEqualTo(6);
    }

    @Test
    void malformedYamlNamesTheLine() throws Exception {
        Path f = SpaceFixtures.write(dir, "bad.yaml", "name: x\nmodel:\n  d_model: [16, 32\n  depth: 2\n");
        assertThatThrownBy(() -> loader.load(f))
                .isInstanceOf(SpaceException.class)
                .hasMessageStartingWith(f + ":")
                .hasMessageContaining("malformed YAML")
                .satisfies(e -> assertThat(((SpaceException) e).line()).isBetween(3, 5));
    }

    @Test
    void unknownComponentNamesFileLineAndKey() throws Exception {
        Path f = SpaceFixtures.write(dir, "s.yaml", VALID.replace("norm: [norm.a, norm.b]", "norm: [norm.a, norm.zzz]"));
        assertThatThrownBy(() -> loader.load(f))
                .isInstanceOf(SpaceException.class)
                .hasMessage(f + ":9: model.norm[1]: unknown component 'norm.zzz' (known: norm.a, norm.b)");
    }

    @Test
    void outOfRangeValueNamesTheLine() throws Exception {
        Path f = SpaceFixtures.write(dir, "s.yaml", VALID.replace("heads: [1, 2]", "heads: [1, 99]"));
        assertThatThrownBy(() -> loader.load(f))
                .isInstanceOf(SpaceException.class)
                .hasMessage(f + ":7: model.token_mixer.attention.test.heads[1]: heads=99 is outside [1, 8]");
    }

    @Test
    void outOfRangeTaskParameter() throws Exception {
        Path f = SpaceFixtures.write(dir, "s.yaml", VALID.replace("size: 12", "size: 0"));
        assertThatThrownBy(() -> loader.load(f)).hasMessage(f + ":3: task.params.size: size=0 is outside [1, 100]");
    }

    @Test
    void unknownKeysAreRefusedNotIgnored() throws Exception {
        Path f = SpaceFixtures.write(dir, "s.yaml", VALID.replace("budget:", "budgett:"));
        assertThatThrownBy(() -> loader.load(f)).hasMessageStartingWith(f + ":13: budgett: unknown key");
        Path g = SpaceFixtures.write(dir, "t.yaml", VALID.replace("{heads: [1, 2]}", "{heads: [1, 2], window: 4}"));
        assertThatThrownBy(() -> loader.load(g)).hasMessage(g + ":7: model.token_mixer.attention.test.window: 'attention.test' has no parameter 'window' (it has: heads)");
    }

    @Test
    void componentInTheWrongSlot() throws Exception {
        Path f = SpaceFixtures.write(dir, "s.yaml", VALID.replace("residual: residual.test", "residual: norm.a"));
        assertThatThrownBy(() -> loader.load(f)).hasMessage(f + ":10: model.residual: 'norm.a' is a norm component and cannot fill residual");
    }

    @Test
    void nonCausalMixerIsRefusedOnACausalTask() throws Exception {
        Path f = SpaceFixtures.write(dir, "s.yaml", VALID.replace("token_mixer: {attention.test: {heads: [1, 2]}}", "token_mixer: [attention.test, mixer.leaky]"));
        assertThatThrownBy(() -> loader.load(f)).hasMessageContaining(":7: model.token_mixer[1]: 'mixer.leaky' is not causal-safe");
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> loader.load(f)).hasMessage(f + ": no such file");
    }
}
