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
public class MethodSpec {
    @Default("lora")
    @JsonPropertyDescription("lora (adapters only), full (every weight) or freeze (last N layers).")
    public MethodType type = MethodType.LORA;

    @JsonPropertyDescription("LoRA settings; only with type lora.")
    public LoraSpec lora;

    @JsonPropertyDescription("Freeze settings; only with type freeze.")
    public FreezeSpec freeze;
}
