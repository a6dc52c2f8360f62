package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** LoRA settings, as PEFT names them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LoraSpec {
    @Min(1)
    @Max(1024)
    @Default("8")
    @JsonPropertyDescription("Rank of the adapters (PEFT r).")
    public Integer r = 8;

    @Min(1)
    @Max(4096)
    @Default("16")
    @JsonPropertyDescription("Scale numerator (PEFT lora_alpha): the update is scaled by alpha/r.")
    public Integer alpha = 16;

    @Size(max = 16)
    @Pattern(Patterns.FRACTION)
    @Default("0")
    @JsonPropertyDescription("Dropout on the adapter input, a fraction such as \"0.05\".")
    public String dropout = "0";

    @Size(max = 32)
    @JsonPropertyDescription(
            "Module names to adapt, e.g. [q_proj, v_proj] or [c_attn]; all-linear (the default)"
                    + " adapts every linear layer but the output head.")
    public List<@Size(max = 64) @Pattern("^[A-Za-z0-9_.-]+$") String> targetModules =
            new ArrayList<>(List.of("all-linear"));

    @Default("false")
    @JsonPropertyDescription("Scale by alpha/sqrt(r) instead of alpha/r (rsLoRA).")
    public Boolean rslora = false;

    @Default("false")
    @JsonPropertyDescription(
            "DoRA (PEFT use_dora): a trainable magnitude per output row rescales the adapted"
                    + " weight; usually closer to full fine-tuning than LoRA at the same rank, at"
                    + " some compute per step.")
    public Boolean dora = false;
}
