package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The shape of the records in a dataset. */
public enum DataFormat {
    /** {instruction, input, output}. */
    @JsonProperty("alpaca")
    ALPACA,
    /** {instruction, context, response}. */
    @JsonProperty("dolly")
    DOLLY,
    /** {conversations: [{from, value}]}. */
    @JsonProperty("sharegpt")
    SHAREGPT,
    /** OpenAI chat: {messages: [{role, content}]}. */
    @JsonProperty("messages")
    MESSAGES,
    /** Plain text for pre-training: {text}. */
    @JsonProperty("text")
    TEXT,
    /** Pairs for reward modelling and DPO: {prompt, chosen, rejected}. */
    @JsonProperty("preference")
    PREFERENCE,
    /** Unpaired feedback for KTO: {prompt, completion, label}. */
    @JsonProperty("kto")
    KTO,
    /** Prompts for the on-policy stages (grpo): {prompt, ...} plus reference-answer columns. */
    @JsonProperty("prompt")
    PROMPT
}
