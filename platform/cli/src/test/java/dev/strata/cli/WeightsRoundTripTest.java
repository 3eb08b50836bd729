package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.strata.api.ComponentKind;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.model.CandidateModel;
import dev.strata.core.model.ModelComposer;
import dev.strata.core.plugins.ComponentInfo;
import dev.strata.core.plugins.PluginHost;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every installed component's model can keep its weights: a two-layer model with the component in
 * its slot saves its parameters (what a worker writes for {@code strata export}) and a second model
 * of the same architecture loads them back to identical values.
 */
class WeightsRoundTripTest {

    static PluginHost host;

    @BeforeAll
    static void load() {
        host = PluginHost.load(TestPlugins.builtIn());
    }

    @AfterAll
    static void close() {
        host.close();
    }

    @TestFactory
    Stream<DynamicTest> everyComponentSavesAndLoadsItsWeights() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ComponentInfo info : host.registry().all()) {
            ComponentKind kind = info.component().kind();
            if (kind == ComponentKind.TASK) continue;
            tests.add(DynamicTest.dynamicTest(info.id(), () -> roundTrip(architecture(kind, info.id()))));
        }
        assertThat(tests).hasSizeGreaterThan(40);
        return tests.stream();
    }

    private static Architecture architecture(ComponentKind kind, String id) {
        ComponentRef token = ComponentRef.of(kind.mixesTokens() ? id : "attention.mha");
        ComponentRef channel = ComponentRef.of(kind == ComponentKind.CHANNEL_MIXER ? id : "mixer.mlp");
        ComponentRef norm = ComponentRef.of(kind == ComponentKind.NORM ? id : "norm.rms");
        ComponentRef residual = ComponentRef.of(kind == ComponentKind.RESIDUAL ? id : "residual.pre_norm");
        LayerSpec layer = new LayerSpec(resolved(token), resolved(channel), resolved(norm), resolved(residual));
        return new Architecture(32, List.of(layer, layer), resolved(ComponentRef.of("norm.rms")));
    }

    private static ComponentRef resolved(ComponentRef ref) {
        var c = host.registry().find(ref.id()).orElseThrow().component();
        return new ComponentRef(ref.id(), ModelComposer.resolveParams(c, ref.params()));
    }

    private static float[] embedding(CandidateModel model) {
        return model.getParameters().get("token_embedding").getArray().toFloatArray();
    }

    private static void roundTrip(Architecture a) throws Exception {
        Shape ids = new Shape(2, 16);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            CandidateModel saved = ModelComposer.compose(a, 32, 16, true, host.registry());
            saved.initialize(m, DataType.FLOAT32, ids);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                saved.saveParameters(out);
            }
            CandidateModel loaded = ModelComposer.compose(a, 32, 16, true, host.registry());
            loaded.initialize(m, DataType.FLOAT32, ids);
            assertThat(embedding(loaded)).as("a fresh model starts elsewhere").isNotEqualTo(embedding(saved));
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                loaded.loadParameters(m, in);
                assertThat(in.read()).as("the whole file is read").isEqualTo(-1);
            }
            Map<String, Parameter> before = saved.getParameters().toMap();
            for (Map.Entry<String, Parameter> e : loaded.getParameters().toMap().entrySet()) {
                assertThat(e.getValue().getArray().toFloatArray()).as(e.getKey()).containsExactly(before.get(e.getKey()).getArray().toFloatArray());
            }
        }
    }
}
