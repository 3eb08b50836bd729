package dev.strata.core.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class StepScopeTest {

    /**
     * {@code x.mul(3f)} keeps a scalar tensor over Java memory for the backward pass; a garbage
     * collection between forward and backward must not change the gradient.
     */
    @Test
    void gradientsOfScalarOpsSurviveGarbageCollection() throws InterruptedException {
        assertThat(StepScope.pinning()).isTrue();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(4, 8));
            x.setRequiresGradient(true);
            for (int round = 0; round < 3; round++) {
                try (NDManager step = m.newSubManager(); StepScope scope = new StepScope();
                        GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = x.mul(3f).div(2f).pow(2f).sum(); // d/dx (1.5x)^2 = 4.5x
                    for (int i = 0; i < 3; i++) {
                        System.gc();
                        // Fill freed memory with something else.
                        step.create(new float[4096]).close();
                        Thread.sleep(10);
                    }
                    c.backward(loss);
                }
                NDArray g = x.getGradient();
                assertThat(g.toFloatArray()).as("round " + round).containsOnly(4.5f);
                g.subi(g);
            }
        }
    }
}
