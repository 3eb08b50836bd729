package dev.example;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.strata.api.BuildContext;
import dev.strata.api.MixerComponent;
import dev.strata.api.Params;
import dev.strata.api.SequenceBlock;
import org.pf4j.Extension;

/**
 * A third-party token mixer, compiled by a test against platform/api only: each position becomes
 * the mean of the positions up to it (causal pooling).
 */
@Extension
public class CumulativeMeanMixer implements MixerComponent {

    public String id() { return "external.cumulative_mean"; }
    public String version() { return "0.9"; }
    public String description() { return "mean of positions up to t (third-party test plugin)"; }
    public String reference() { return "MetaFormer Is Actually What You Need for Vision (Yu et al., 2022), causal variant"; }
    public MixerRole role() { return MixerRole.TOKEN; }
    public long parameterCount(BuildContext ctx, Params p) { return 0; }

    public Block build(BuildContext ctx, Params p) {
        return new SequenceBlock() {
            @Override
            protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
                NDArray x = in.singletonOrThrow();
                long t = x.getShape().get(1);
                NDArray counts = x.getManager().arange(1f, t + 1f).reshape(1, t, 1).toType(x.getDataType(), false);
                return new NDList(x.cumSum(1).div(counts));
            }
        };
    }
}
