package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How tokenized samples are laid into fixed-length batches. */
public enum BatchingMode {
    /** One sample per row, padded to the longest in the batch. */
    @JsonProperty("padding")
    PADDING,
    /** Everything concatenated and cut at the cutoff length; samples may be split. */
    @JsonProperty("packed")
    PACKED,
    /** Whole samples greedily joined up to the cutoff length, then padded. */
    @JsonProperty("concat")
    CONCAT,
    /** Like packed, but samples never attend to each other (positions restart per sample). */
    @JsonProperty("packed-isolated")
    PACKED_ISOLATED
}
