package io.kubetune.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.FineTuneJob;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamesTest {

    private static List<String> children(HasMetadata owner) {
        return List.of(
                Names.job(owner, 1),
                Names.job(owner, 2),
                Names.configMap(owner),
                Names.trainer(owner));
    }

    @Test
    void aFineTuneJobAndAnEvalJobOfTheSameNameShareNoChild() {
        FineTuneJob ftj = TestJobs.fineTuneJob();
        EvalJob ej = TestJobs.evalJob();
        ej.getMetadata().setName(ftj.getMetadata().getName());

        assertThat(children(ftj))
                .containsExactly("moby-ftj-1", "moby-ftj-2", "moby-ftj-job", "moby-ftj-trainer");
        assertThat(children(ej))
                .containsExactly("moby-ej-1", "moby-ej-2", "moby-ej-job", "moby-ej-trainer");
    }

    @Test
    void longNamesOfBothKindsStayDistinctAndFitALabelValue() {
        FineTuneJob ftj = TestJobs.fineTuneJob();
        EvalJob ej = TestJobs.evalJob();
        String longName = "x".repeat(253);
        ftj.getMetadata().setName(longName);
        ej.getMetadata().setName(longName);

        assertThat(Names.job(ftj, 100)).hasSizeLessThanOrEqualTo(63).endsWith("-ftj-100");
        assertThat(Names.job(ej, 100)).hasSizeLessThanOrEqualTo(63).endsWith("-ej-100");
        assertThat(Names.trainer(ftj))
                .hasSizeLessThanOrEqualTo(253)
                .isNotEqualTo(Names.trainer(ej));
    }
}
