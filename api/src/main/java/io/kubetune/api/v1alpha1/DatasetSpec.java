package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One training dataset: where it is, what shape its records have, how they become prompts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value =
                "!has(self.uri) || !self.uri.startsWith('http://')"
                        + " || (has(self.allowInsecureHttp) && self.allowInsecureHttp)",
        message = "uri is plain http://: use https://, or set allowInsecureHttp: true")
public class DatasetSpec {
    @Required
    @Size(max = 1024)
    @Pattern(Patterns.DATA_URI)
    @JsonPropertyDescription(
            "Where the data is: hf://datasets/org/name[@revision][/file], s3://bucket/key,"
                    + " https://..., or an absolute path. JSON Lines, JSON, CSV and Parquet are"
                    + " read.")
    public String uri;

    @JsonPropertyDescription(
            "Read a plain http:// URI for this dataset. Off by default: plain http can be changed by anyone on"
                    + " the way, and reaches any address the pod can; prefer https://.")
    public Boolean allowInsecureHttp;

    @Required
    @JsonPropertyDescription(
            "Shape of the records: alpaca, dolly, sharegpt, messages, text, preference or kto.")
    public DataFormat format;

    @JsonPropertyDescription("Names of the dataset's columns when they differ from the format's.")
    public ColumnMapping columns;

    @Default("model")
    @JsonPropertyDescription(
            "Prompt template: model (the model's own chat template, ChatML if it has none),"
                    + " alpaca, vicuna or chatml.")
    public PromptTemplate template = PromptTemplate.MODEL;

    @Size(max = 64)
    @JsonPropertyDescription("Split of a hub dataset to read, e.g. train.")
    public String split;

    @Min(1)
    @JsonPropertyDescription("Use at most this many records (all when unset).")
    public Integer maxSamples;
}
