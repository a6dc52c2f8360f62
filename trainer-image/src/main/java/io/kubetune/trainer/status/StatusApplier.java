package io.kubetune.trainer.status;

import java.util.Map;

/** Writes the fields of {@code status} the trainer owns onto its resource. */
@FunctionalInterface
public interface StatusApplier {
    /**
     * @param status only the trainer's fields (e.g. {@code progress}, {@code lastCheckpoint}): the
     *     API server keeps the fields other managers own
     * @throws RuntimeException when the API server is unreachable or refuses the patch
     */
    void apply(Map<String, Object> status);
}
