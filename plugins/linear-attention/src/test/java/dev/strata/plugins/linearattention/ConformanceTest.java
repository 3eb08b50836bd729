package dev.strata.plugins.linearattention;

import dev.strata.testkit.ConformanceTests;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/** The platform's conformance kit (defaults and every search value) on each component of the module. */
class ConformanceTest {

    @TestFactory
    Stream<DynamicNode> conformance() {
        return ConformanceTests.forComponents(LinearAttentionFamilyTest.components());
    }
}
