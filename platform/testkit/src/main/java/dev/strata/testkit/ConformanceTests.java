package dev.strata.testkit;

import dev.strata.api.Component;
import dev.strata.core.conformance.Check;
import dev.strata.core.conformance.CheckResult;
import dev.strata.core.conformance.ComponentReport;
import dev.strata.core.conformance.ConformanceKit;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * The conformance kit as JUnit 5 dynamic tests: one container per component, one per variant
 * (default parameters, then each search value), one test per check. A skipped check (not causal-safe,
 * a variant the component refuses to build) is reported as aborted, not passed.
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicNode> conformance() {
 *     return ConformanceTests.forComponents(List.of(new MyMixerComponent()));
 * }
 * }</pre>
 */
public final class ConformanceTests {

    private ConformanceTests() {}

    public static Stream<DynamicNode> forComponents(Collection<? extends Component> components) {
        return forComponents(components, new ConformanceKit());
    }

    public static Stream<DynamicNode> forComponents(Collection<? extends Component> components, ConformanceKit kit) {
        return components.stream().filter(ConformanceKit::applies).map(c -> forComponent(c, kit));
    }

    private static DynamicNode forComponent(Component component, ConformanceKit kit) {
        // The kit runs when the component's container is reached, not when the tree is built.
        return DynamicContainer.dynamicContainer(component.id(), Stream.of(component).flatMap(c -> {
            List<ComponentReport> reports = kit.verify(c);
            return reports.stream().map(r -> (DynamicNode) DynamicContainer.dynamicContainer(
                    r.variant().asMap().isEmpty() ? "defaults" : r.variant().toString(),
                    r.results().stream().map(ConformanceTests::test)));
        }));
    }

    private static DynamicTest test(CheckResult result) {
        Check check = result.check();
        return DynamicTest.dynamicTest(check.label() + ": " + check.description(), () -> {
            Assumptions.assumeTrue(result.status() != CheckResult.Status.SKIP, result.detail());
            if (result.failed()) Assertions.fail(result.detail());
        });
    }
}
