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
        assertThat(s.strategy().name()).isEqualTo("guided-evolution");
        assertThat(s.objectives()).isEqualTo(Objectives.DEFAULT);
        assertThat(s.fidelity()).isEqualTo(Fidelity.FULL);
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

    // ---- searchable recipe values, uniform layers, grid ----------------------------------------

    @Test
    void aScalarRecipeValueStaysFixed() throws Exception {
        SearchSpace s = loader.load(SpaceFixtures.write(dir, "s.yaml", VALID));
        assertThat(s.recipes().searched()).isFalse();
        assertThat(s.recipes().learningRates()).containsExactly(1e-3);
        assertThat(s.recipes().weightDecays()).containsExactly(0.01);
        // The search's recipe key is exactly the recipe's, as before recipes could be searched.
        assertThat(s.recipes().canonical()).isEqualTo(s.recipe().canonical())
                .isEqualTo("steps=50,batch=8,lr=0.001,wd=0.01,warmup=5,min_lr_ratio=0.1,eval_every=12,clip=1.0");
    }

    @Test
    void aListOfLearningRatesOrWeightDecaysIsSearched() throws Exception {
        SearchSpace s = loader.load(SpaceFixtures.write(dir, "s.yaml",
                VALID.replace("lr: 1e-3}", "lr: [1e-3, 3e-3, 1e-2], weight_decay: [0, 0.1]}")));
        assertThat(s.recipes().searched()).isTrue();
        assertThat(s.recipes().learningRates()).containsExactly(1e-3, 3e-3, 1e-2);
        assertThat(s.recipes().weightDecays()).containsExactly(0.0, 0.1);
        assertThat(s.recipe().learningRate()).isEqualTo(1e-3);
        assertThat(s.recipes().recipe(2, 1).learningRate()).isEqualTo(1e-2);
        assertThat(s.recipes().recipe(2, 1).weightDecay()).isEqualTo(0.1);
        assertThat(s.recipes().recipe(2, 1).steps()).isEqualTo(50);
        assertThat(s.recipes().canonical()).isEqualTo("steps=50,batch=8,lr={0.001,0.003,0.01},wd={0.0,0.1},warmup=5,min_lr_ratio=0.1,eval_every=12,clip=1.0");
        // A one-item list is a fixed value.
        SearchSpace one = loader.load(SpaceFixtures.write(dir, "t.yaml", VALID.replace("lr: 1e-3}", "lr: [1e-3]}")));
        assertThat(one.recipes().searched()).isFalse();
        assertThat(one.recipes().canonical()).isEqualTo(loader.load(SpaceFixtures.write(dir, "u.yaml", VALID)).recipes().canonical());
    }

    @Test
    void badRecipeValuesNameTheirLine() throws Exception {
        String block = VALID.replace("recipe: {steps: 50, batch: 8, lr: 1e-3}", """
                recipe:
                  steps: 50
                  lr: [1e-3, -3e-3]
                  weight_decay: [0.01, -1]""");
        Path f = SpaceFixtures.write(dir, "a.yaml", block);
        assertThatThrownBy(() -> loader.load(f)).isInstanceOf(SpaceException.class)
                .hasMessage(f + ":13: recipe.lr[1]: must be positive, got -0.003");
        Path g = SpaceFixtures.write(dir, "b.yaml", block.replace("[1e-3, -3e-3]", "[]"));
        assertThatThrownBy(() -> loader.load(g)).hasMessage(g + ":13: recipe.lr: list at least one value");
        Path h = SpaceFixtures.write(dir, "c.yaml", block.replace("[1e-3, -3e-3]", "[1e-3, 0.001]"));
        assertThatThrownBy(() -> loader.load(h)).hasMessage(h + ":13: recipe.lr[1]: value 0.001 is listed twice");
        Path i = SpaceFixtures.write(dir, "d.yaml", block.replace("[1e-3, -3e-3]", "[1e-3, fast]"));
        assertThatThrownBy(() -> loader.load(i)).hasMessage(i + ":13: recipe.lr[1]: 'fast' is not a number");
        Path j = SpaceFixtures.write(dir, "e.yaml", block.replace("[1e-3, -3e-3]", "3e-3"));
        assertThatThrownBy(() -> loader.load(j)).hasMessage(j + ":14: recipe.weight_decay[1]: must be zero or positive, got -1");
        Path k = SpaceFixtures.write(dir, "f.yaml", block.replace("[1e-3, -3e-3]", "-1e-3"));
        assertThatThrownBy(() -> loader.load(k)).hasMessage(k + ":13: recipe.lr: must be positive, got -0.001");
    }

    @Test
    void uniformLayers() throws Exception {
        SearchSpace s = loader.load(SpaceFixtures.write(dir, "s.yaml", VALID.replace("  depth: [1, 2]\n", "  depth: [1, 2]\n  uniform_layers: true\n")));
        assertThat(s.model().uniformLayers()).isTrue();
        assertThat(loader.load(SpaceFixtures.write(dir, "t.yaml", VALID)).model().uniformLayers()).isFalse();
        Path f = SpaceFixtures.write(dir, "u.yaml", VALID.replace("  depth: [1, 2]\n", "  depth: [1, 2]\n  uniform_layers: 3\n"));
        assertThatThrownBy(() -> loader.load(f)).hasMessage(f + ":7: model.uniform_layers: '3' is not true or false");
    }

    @Test
    void gridStrategyTakesNoSettingsAndAnyBudget() throws Exception {
        SearchSpace s = loader.load(SpaceFixtures.write(dir, "s.yaml",
                VALID.replace("strategy: {population: 4, tournament: 2}", "strategy: {name: grid}").replace("trials: 6", "trials: 2")));
        assertThat(s.strategy().isGrid()).isTrue();
        assertThat(s.budgetTrials()).isEqualTo(2);
        Path f = SpaceFixtures.write(dir, "t.yaml", VALID.replace("strategy: {population: 4, tournament: 2}", "strategy: {name: grid, population: 4}"));
        assertThatThrownBy(() -> loader.load(f)).hasMessage(f + ":12: strategy.population: the grid strategy takes no population");
        Path g = SpaceFixtures.write(dir, "u.yaml", VALID.replace("strategy: {population: 4, tournament: 2}", "strategy: {name: grids}"));
        assertThatThrownBy(() -> loader.load(g)).hasMessage(g + ":12: strategy.name: unknown strategy 'grids' (known: guided-evolution, regularized-evolution, nsga2, random, local-search, grid)");
    }

    @Test
    void objectivesConstraintsAndFidelity() throws Exception {
        String multi = VALID.replace("strategy: {population: 4, tournament: 2}", "strategy: {name: nsga2, population: 4}\n"
                + "objectives: {val_loss: minimize, params: minimize}\nconstraints: [\"params <= 2e6\", \"tokens_per_second >= 100\"]\n"
                + "fidelity: {rungs: 2, eta: 2, early_stop: true}");
        SearchSpace s = loader.load(SpaceFixtures.write(dir, "m.yaml", multi));
        assertThat(s.objectives().objectivesText()).isEqualTo("val_loss:min,params:min");
        assertThat(s.objectives().constraintsText()).isEqualTo("params<=2000000.0;tokens_per_second>=100.0");
        assertThat(s.objectives().violation(java.util.Map.of("params", 3e6, "tokens_per_second", 500.0))).isEqualTo(0.5);
        assertThat(s.fidelity()).isEqualTo(new Fidelity(2, 2, true));
        assertThat(s.fidelity().recipe(s.recipe(), 0).steps()).isEqualTo(s.recipe().steps() / 2);
        // early_stop alone: the median stopping rule without successive halving (one rung); with another key, rungs default to 3.
        assertThat(loader.load(SpaceFixtures.write(dir, "e.yaml", VALID + "fidelity: {early_stop: true}\n")).fidelity())
                .isEqualTo(new Fidelity(1, 3, true));
        assertThat(loader.load(SpaceFixtures.write(dir, "f.yaml", VALID + "fidelity: {eta: 2, early_stop: true}\n")).fidelity())
                .isEqualTo(new Fidelity(3, 2, true));

        Path bad = SpaceFixtures.write(dir, "b.yaml", multi.replace("params <= 2e6", "parms <= 2e6"));
        assertThatThrownBy(() -> loader.load(bad)).hasMessageContaining("b.yaml:").hasMessageContaining("unknown metric 'parms'");
        Path two = SpaceFixtures.write(dir, "c.yaml", multi.replace("name: nsga2", "name: regularized-evolution"));
        assertThatThrownBy(() -> loader.load(two)).hasMessageContaining("several objectives need strategy nsga2");
        Path op = SpaceFixtures.write(dir, "d.yaml", multi.replace("params <= 2e6", "params = 2e6"));
        assertThatThrownBy(() -> loader.load(op)).hasMessageContaining("expected 'metric <= number'");
    }
}
