package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A chat format given to a base model that has none. */
public enum ChatFormat {
    /** ChatML: {@code <|im_start|>role\ncontent<|im_end|>\n}, as TRL's setup_chat_format adds. */
    @JsonProperty("chatml")
    CHATML
}
