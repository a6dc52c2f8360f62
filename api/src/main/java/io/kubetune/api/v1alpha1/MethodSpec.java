package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/** Which weights are trained, and how. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "self.type == 'lora' || !has(self.lora)",
        message =
                "method.lora is only allowed when method.type is lora; remove it or set type: lora")
@ValidationRule(
        value = "self.type == 'freeze' || !has(self.freeze)",
        message =
                "method.freeze is only allowed when method.type is freeze; remove it or set type:"
                        + " freeze")
@ValidationRule(
        value = "!has(self.quantization) || self.quantization == 'none' || self.type == 'lora'",
        message =
                "method.quantization needs method.type lora (QLoRA): the quantized base weights"
                        + " are frozen; set type: lora or quantization: none")
@ValidationRule(
        value = "!has(self.doubleQuant) || (has(self.quantization) && self.quantization == 'nf4')",
        message = "method.doubleQuant applies to quantization: nf4 only; remove it")
@ValidationRule(
        value =
                "!has(self.promptLearning) || self.type in ['prompt-tuning', 'prefix-tuning',"
                        + " 'p-tuning']",
        message =
                "method.promptLearning is only allowed when method.type is prompt-tuning,"
                        + " prefix-tuning or p-tuning; remove it or change type")
@ValidationRule(
        value =
                "!has(self.promptLearning) || self.type == 'prompt-tuning'"
                        + " || !has(self.promptLearning.init) || self.promptLearning.init =="
                        + " 'random'",
        message =
                "method.promptLearning.init applies to prompt-tuning only (prefix and P-tuning"
                        + " start at random); remove it")
@ValidationRule(
        value =
                "!has(self.promptLearning) || self.type == 'p-tuning'"
                        + " || (!has(self.promptLearning.encoderHiddenSize)"
                        + " && (!has(self.promptLearning.encoder) || self.promptLearning.encoder =="
                        + " 'mlp'))",
        message =
                "method.promptLearning.encoder and encoderHiddenSize apply to p-tuning only;"
                        + " remove them")
public class MethodSpec {
    @Default("lora")
    @JsonPropertyDescription("lora (adapters only), full (every weight) or freeze (last N layers).")
    public MethodType type = MethodType.LORA;

    @JsonPropertyDescription("LoRA settings; only with type lora.")
    public LoraSpec lora;

    @JsonPropertyDescription("Freeze settings; only with type freeze.")
    public FreezeSpec freeze;

    @JsonPropertyDescription(
            "Prompt learning settings; only with type prompt-tuning, prefix-tuning or p-tuning.")
    public PromptLearningSpec promptLearning;

    @Default("none")
    @JsonPropertyDescription(
            "Holds the frozen base weights quantized under lora (QLoRA), as bitsandbytes does:"
                    + " none, int8 (LLM.int8) or nf4 (4-bit NormalFloat). Embeddings, norms and"
                    + " the LM head stay unquantized.")
    public Quantization quantization = Quantization.NONE;

    @JsonPropertyDescription(
            "nf4 only: also quantize the per-block scales (bitsandbytes' double quantization,"
                    + " about 0.37 bits per weight saved). Default true.")
    public Boolean doubleQuant;
}
