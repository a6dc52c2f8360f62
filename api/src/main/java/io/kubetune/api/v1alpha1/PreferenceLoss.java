package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The DPO-family objective of stage dpo. */
public enum PreferenceLoss {
    /** DPO: −log σ(β·Δ), as TRL's loss_type sigmoid. */
    @JsonProperty("sigmoid")
    SIGMOID,
    /** IPO: (Δ/length − 1/(2β))², log-ratios averaged over the answer's tokens, as TRL. */
    @JsonProperty("ipo")
    IPO,
    /** SLiC: relu(1 − β·Δ), as TRL's loss_type hinge. */
    @JsonProperty("hinge")
    HINGE,
    /** Robust DPO against flipped labels, with labelSmoothing, as TRL's loss_type robust. */
    @JsonProperty("robust")
    ROBUST,
    /** ORPO, as LLaMA-Factory computes it: averaged log-probs, odds ratio, no reference model. */
    @JsonProperty("orpo")
    ORPO,
    /** SimPO, as LLaMA-Factory computes it: averaged log-probs, margin simpoGamma, no reference. */
    @JsonProperty("simpo")
    SIMPO
}
