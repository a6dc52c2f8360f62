package io.kubetune.trainer.bench;

import java.util.List;
import java.util.Set;

/**
 * Where a profiled libtorch op's time is counted in a step's profile. Names alone cannot tell an
 * attention score's {@code mul} from a residual's, so element-wise ops are placed by the shapes of
 * their inputs too: only attention makes rank-5 tensors ({@code [batch, kv heads, groups, seq,
 * seq]}), only the MLP's activation works on {@code [.., intermediate]}, only the loss on {@code
 * [.., vocab]} and only RMSNorm scales rows by a {@code [.., 1]} tensor. What no shape tells apart
 * (RMSNorm's weight, residual adds, RoPE, LoRA's scaling) stays in "element-wise rest".
 */
public enum OpGroup {
    MATMUL("matmul/linear (mm, addmm, bmm, matmul)"),
    ATTENTION("attention element-wise (scale, mask, softmax)"),
    ACTIVATION("MLP activation (GELU/SiLU parts, gate)"),
    NORM("norms (layer_norm; RMSNorm's pow, mean, sqrt, div)"),
    LOSS("loss element-wise (log-softmax over vocab, gather)"),
    ELEMENTWISE("element-wise rest (residuals, RoPE, LoRA scale)"),
    COPY("copies/casts (copy_, to, cat, index, embedding)"),
    VIEWS("views and allocation (reshape, slice, zeros)"),
    AUTOGRAD("autograd bookkeeping (*Backward nodes)"),
    OPTIMIZER("after backward: grad clip, AdamW, zero grads"),
    OUTSIDE("not in libtorch (Java, JNI, GC)");

    private static final Set<String> MATMULS =
            Set.of(
                    "mm",
                    "addmm",
                    "bmm",
                    "baddbmm",
                    "addbmm",
                    "matmul",
                    "linear",
                    "mv",
                    "addmv",
                    "dot",
                    "einsum",
                    "_mm",
                    "scaled_dot_product_attention");
    private static final Set<String> SOFTMAX =
            Set.of("softmax", "_softmax", "_softmax_backward_data");
    private static final Set<String> LOSSES =
            Set.of(
                    "log_softmax",
                    "_log_softmax",
                    "_log_softmax_backward_data",
                    "gather",
                    "logsumexp",
                    "nll_loss",
                    "nll_loss_forward",
                    "nll_loss_backward",
                    "cross_entropy_loss",
                    "take_along_dim");
    private static final Set<String> ACTIVATIONS =
            Set.of(
                    "gelu",
                    "gelu_backward",
                    "silu",
                    "silu_backward",
                    "sigmoid",
                    "sigmoid_backward",
                    "tanh",
                    "tanh_backward",
                    "erf");
    private static final Set<String> NORMS =
            Set.of(
                    "layer_norm",
                    "native_layer_norm",
                    "native_layer_norm_backward",
                    "rms_norm",
                    "pow",
                    "square",
                    "mean",
                    "sqrt",
                    "rsqrt",
                    "var");
    private static final Set<String> COPIES =
            Set.of(
                    "copy_",
                    "to",
                    "_to_copy",
                    "contiguous",
                    "clone",
                    "cat",
                    "stack",
                    "index_select",
                    "index",
                    "index_put_",
                    "_index_put_impl_",
                    "embedding",
                    "embedding_backward",
                    "embedding_dense_backward",
                    "index_add_",
                    "scatter",
                    "scatter_",
                    "narrow_copy",
                    "masked_select");
    private static final Set<String> VIEWS_AND_ALLOCATION =
            Set.of(
                    "view",
                    "reshape",
                    "_reshape_alias",
                    "transpose",
                    "permute",
                    "expand",
                    "expand_as",
                    "as_strided",
                    "unsqueeze",
                    "squeeze",
                    "slice",
                    "select",
                    "narrow",
                    "t",
                    "detach",
                    "detach_",
                    "alias",
                    "empty",
                    "empty_like",
                    "empty_strided",
                    "zeros",
                    "zeros_like",
                    "ones",
                    "ones_like",
                    "full",
                    "full_like",
                    "fill_",
                    "zero_",
                    "resize_",
                    "arange",
                    "split",
                    "chunk",
                    "unbind",
                    "numpy_T",
                    "resolve_conj",
                    "resolve_neg",
                    "lift_fresh",
                    "set_",
                    "_unsafe_view",
                    "split_with_sizes",
                    "squeeze_",
                    "unsqueeze_",
                    "flatten",
                    "unflatten");

    private final String label;

    OpGroup(String label) {
        this.label = label;
    }

    private static boolean anyLastDimension(List<List<Long>> shapes, long size) {
        for (List<Long> s : shapes) {
            if (!s.isEmpty() && s.get(s.size() - 1) == size) {
                return true;
            }
        }
        return false;
    }

    // RMSNorm divides [.., hidden] by a [.., 1] root mean square (and so does its backward); the
    // loss's per-row [.., 1] terms were placed before (their other input is vocab-wide).
    private static boolean perRowScale(List<List<Long>> shapes) {
        for (List<Long> s : shapes) {
            if (s.size() >= 2 && s.get(s.size() - 1) == 1) {
                return true;
            }
        }
        return false;
    }

    /** What the group holds, for the table. */
    public String label() {
        return label;
    }

    /**
     * Places one op.
     *
     * @param name the profiler's name ({@code aten::mm}, {@code MmBackward0}, ...)
     * @param shapes its inputs' shapes, possibly empty
     * @param afterBackward whether it ran after the last backward node (clipping, optimizer)
     * @param vocab the model's vocabulary size
     * @param intermediate the model's feed-forward width
     */
    public static OpGroup classify(
            String name,
            List<List<Long>> shapes,
            boolean afterBackward,
            int vocab,
            int intermediate) {
        if (afterBackward) {
            return OPTIMIZER;
        }
        String op = name.startsWith("aten::") ? name.substring(6) : name;
        if (MATMULS.contains(op)) {
            return MATMUL;
        }
        if (!name.startsWith("aten::")) {
            // MmBackward0, autograd::engine::evaluate_function: ..., torch::autograd::...
            return AUTOGRAD;
        }
        if (VIEWS_AND_ALLOCATION.contains(op)) {
            return VIEWS;
        }
        List<Long> first = shapes.isEmpty() ? List.of() : shapes.get(0);
        if (SOFTMAX.contains(op) || first.size() == 5) {
            return ATTENTION;
        }
        if (LOSSES.contains(op) || anyLastDimension(shapes, vocab)) {
            return LOSS;
        }
        if (COPIES.contains(op)) {
            return COPY;
        }
        if (ACTIVATIONS.contains(op) || anyLastDimension(shapes, intermediate)) {
            return ACTIVATION;
        }
        if (NORMS.contains(op) || perRowScale(shapes)) {
            return NORM;
        }
        return ELEMENTWISE;
    }
}
