package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What kind of training the job does. */
public enum Stage {
    /** Pre-training continuation on raw text. */
    @JsonProperty("pt")
    PT,
    /** Supervised fine-tuning on instructions or conversations. */
    @JsonProperty("sft")
    SFT,
    /** Reward modelling on preference pairs. */
    @JsonProperty("rm")
    RM,
    /** Direct preference optimisation on preference pairs. */
    @JsonProperty("dpo")
    DPO,
    /** Kahneman-Tversky optimisation on unpaired feedback. */
    @JsonProperty("kto")
    KTO,
    /** Proximal policy optimisation against a reward model. */
    @JsonProperty("ppo")
    PPO,
    /** Group relative policy optimisation with rule rewards, as TRL's GRPOTrainer. */
    @JsonProperty("grpo")
    GRPO
}
