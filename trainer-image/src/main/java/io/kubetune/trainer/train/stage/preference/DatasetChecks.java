package io.kubetune.trainer.train.stage.preference;

import io.kubetune.api.v1alpha1.BatchingMode;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import java.util.Set;

/**
 * The refusals that stages rm, dpo and kto share, before anything is downloaded: they keep each
 * example whole in padded rows, and they read only some dataset formats. Each stage words why.
 */
final class DatasetChecks {
    private DatasetChecks() {}

    /**
     * Refuses any batching but padding.
     *
     * @param keepsWhole who keeps what whole, e.g. "stage kto keeps each example"
     */
    static void paddedRows(FineTuneJobSpec spec, String keepsWhole) {
        BatchingMode batching = spec.training == null ? null : spec.training.batching;
        if (batching != null && batching != BatchingMode.PADDING) {
            throw new IllegalArgumentException(
                    "spec.training.batching: "
                            + batching.name().toLowerCase()
                            + "; "
                            + keepsWhole
                            + " whole in padded rows, set batching: padding");
        }
    }

    /**
     * Refuses a dataset whose format is not one of {@code readable}.
     *
     * @param isNot what the other formats are not, and what the stage reads instead
     */
    static void formats(FineTuneJobSpec spec, Set<DataFormat> readable, String isNot) {
        for (int i = 0; i < spec.datasets.size(); i++) {
            DataFormat format = spec.datasets.get(i).format;
            if (format == null || !readable.contains(format)) {
                throw new IllegalArgumentException(
                        "spec.datasets["
                                + i
                                + "].format: "
                                + (format == null ? "null" : format.name().toLowerCase())
                                + " is not "
                                + isNot);
            }
        }
    }
}
