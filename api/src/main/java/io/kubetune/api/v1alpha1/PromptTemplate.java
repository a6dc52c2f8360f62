package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How records are turned into the text the model sees. */
public enum PromptTemplate {
    /** The model's own chat_template from tokenizer_config.json (ChatML when it has none). */
    @JsonProperty("model")
    MODEL,
    /** "Below is an instruction that describes a task..." */
    @JsonProperty("alpaca")
    ALPACA,
    /** "USER: ... ASSISTANT: ..." */
    @JsonProperty("vicuna")
    VICUNA,
    /** <|im_start|>role ... <|im_end|> */
    @JsonProperty("chatml")
    CHATML,
    /** No template: prompt and answer joined as plain text, the tokenizer's EOS appended (TRL). */
    @JsonProperty("none")
    NONE
}
