package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One benchmark to run, with where its data is. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "self.name != 'perplexity' || has(self.dataUri)",
        message = "the perplexity task needs dataUri: the text or instruction data to score")
@ValidationRule(
        value =
                "!has(self.dataUri) || !self.dataUri.startsWith('http://')"
                        + " || (has(self.allowInsecureHttp) && self.allowInsecureHttp)",
        message = "dataUri is plain http://: use https://, or set allowInsecureHttp: true")
public class EvalTask {
    @Required
    @JsonPropertyDescription("hellaswag or perplexity.")
    public EvalTaskName name;

    @Size(max = 1024)
    @Pattern(Patterns.DATA_URI)
    @JsonPropertyDescription(
            "The task's data. Hellaswag defaults to hf://datasets/Rowan/hellaswag (validation"
                    + " split); a hellaswag_val.jsonl file works too.")
    public String dataUri;

    @JsonPropertyDescription(
            "Read a plain http:// URI for this task's data. Off by default: plain http can be changed by anyone on"
                    + " the way, and reaches any address the pod can; prefer https://.")
    public Boolean allowInsecureHttp;

    @JsonPropertyDescription("Format of the perplexity data (text by default).")
    public DataFormat format;
}
