package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Prompt tuning, prefix tuning and P-tuning settings, as PEFT names them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.init) || self.init != 'text' || has(self.initText)",
        message =
                "method.promptLearning.init text needs method.promptLearning.initText; give the"
                        + " text or choose init random or sample-vocab")
@ValidationRule(
        value = "!has(self.initText) || (has(self.init) && self.init == 'text')",
        message = "method.promptLearning.initText applies to init: text only; remove it")
public class PromptLearningSpec {
    @Min(1)
    @Max(1024)
    @Default("20")
    @JsonPropertyDescription(
            "How many virtual tokens are put before every input (PEFT num_virtual_tokens).")
    public Integer numVirtualTokens = 20;

    @Default("random")
    @JsonPropertyDescription(
            "prompt-tuning only: how the virtual token embeddings start (PEFT prompt_tuning_init):"
                    + " random (normal), sample-vocab (embeddings of random vocabulary tokens) or"
                    + " text (embeddings of initText's tokens, repeated to numVirtualTokens).")
    public Init init = Init.RANDOM;

    @Size(max = 4096)
    @JsonPropertyDescription(
            "The text whose token embeddings start the virtual tokens (init: text).")
    public String initText;

    @Default("mlp")
    @JsonPropertyDescription(
            "p-tuning only: the encoder that makes the virtual token embeddings (PEFT"
                    + " encoder_reparameterization_type): mlp or lstm.")
    public Encoder encoder = Encoder.MLP;

    @Min(1)
    @Max(65536)
    @JsonPropertyDescription(
            "p-tuning only: the encoder's hidden width (PEFT encoder_hidden_size); default the"
                    + " model's hidden size.")
    public Integer encoderHiddenSize;

    /** How prompt tuning's virtual tokens start. */
    public enum Init {
        @JsonProperty("random")
        RANDOM,
        @JsonProperty("sample-vocab")
        SAMPLE_VOCAB,
        @JsonProperty("text")
        TEXT
    }

    /** P-tuning's encoder. */
    public enum Encoder {
        @JsonProperty("mlp")
        MLP,
        @JsonProperty("lstm")
        LSTM
    }
}
