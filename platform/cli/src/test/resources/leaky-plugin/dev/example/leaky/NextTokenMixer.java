package dev.example.leaky;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.BuildContext;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import dev.strata.api.SequenceBlock;
import org.pf4j.Extension;

/**
 * A deliberately broken third-party token mixer: it claims to be causal-safe but mixes in the NEXT
 * token (y_t = x_t + W x_{t+1}). The conformance kit must catch it.
 */
@Extension
public class NextTokenMixer implements MixerComponent {

    public String id() { return "leaky.next_token"; }
    public String version() { return "0.1"; }
    public String description() { return "reads the next token (deliberately leaky test plugin)"; }
    public String reference() { return "none"; }
    public MixerRole role() { return MixerRole.TOKEN; }
    public long parameterCount(BuildContext ctx, Params p) { return (long) ctx.dModel() * ctx.dModel() + ctx.dModel(); }

    public Block build(BuildContext ctx, Params p) {
        return new SequenceBlock() {
            private final Linear next = addChildBlock("next", Linear.builder().setUnits(ctx.dModel()).build());

            @Override
            protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
                NDArray x = in.singletonOrThrow();
                Shape s = x.getShape();
                NDArray zeros = x.getManager().zeros(new Shape(s.get(0), 1, s.get(2)));
                NDArray following = NDArrays.concat(new NDList(x.get(":, 1:, :"), zeros), 1);
                return new NDList(x.add(next.forward(ps, new NDList(following), training).singletonOrThrow()));
            }
        };
    }
}
