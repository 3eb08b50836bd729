package org.example.strata;

import dev.strata.testkit.ConformanceTests;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Strata's conformance kit on this plugin's component: shape, causality, gradients, large inputs,
 * seeding and the declared parameter count, for the defaults and each search value. The same
 * checks run when a user types {@code bin/strata plugins verify target/ema-mixer-plugin-1.0.0.jar}.
 */
class EmaMixerConformanceTest {

    @TestFactory
    Stream<DynamicNode> conformsToTheStrataKit() {
        return ConformanceTests.forComponents(List.of(new EmaMixerComponent()));
    }
}
