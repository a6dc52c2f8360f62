package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** Maps the dataset's own column names onto the names its format expects. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ColumnMapping {
    @Size(max = 128)
    @JsonPropertyDescription(
            "Column holding the instruction (alpaca, dolly; preference in LLaMA-Factory's alpaca layout).")
    public String instruction;

    @Size(max = 128)
    @JsonPropertyDescription("Column holding the optional input or context (alpaca, dolly).")
    public String input;

    @Size(max = 128)
    @JsonPropertyDescription("Column holding the answer (alpaca, dolly).")
    public String output;

    @Size(max = 128)
    @JsonPropertyDescription("Column holding a system prompt.")
    public String system;

    @Size(max = 128)
    @JsonPropertyDescription(
            "Column holding the list of turns (sharegpt, messages; preference in LLaMA-Factory's sharegpt layout, the prompt turns).")
    public String messages;

    @Size(max = 128)
    @JsonPropertyDescription("Key of a turn's role inside each message (default role or from).")
    public String roleKey;

    @Size(max = 128)
    @JsonPropertyDescription("Key of a turn's text inside each message (default content or value).")
    public String contentKey;

    @Size(max = 128)
    @JsonPropertyDescription("Column holding raw text (text).")
    public String text;

    @Size(max = 128)
    @JsonPropertyDescription("Column holding the prompt (preference, kto).")
    public String prompt;

    @Size(max = 128)
    @JsonPropertyDescription("Column holding the preferred answer (preference).")
    public String chosen;

    @Size(max = 128)
    @JsonPropertyDescription("Column holding the dispreferred answer (preference).")
    public String rejected;

    @Size(max = 128)
    @JsonPropertyDescription(
            "Column holding how much better chosen is than rejected (preference, stage rm).")
    public String margin;

    @Size(max = 128)
    @JsonPropertyDescription("Column holding the answer to be judged (kto).")
    public String completion;

    @Size(max = 128)
    @JsonPropertyDescription("Column holding the desirable/undesirable flag (kto).")
    public String label;
}
