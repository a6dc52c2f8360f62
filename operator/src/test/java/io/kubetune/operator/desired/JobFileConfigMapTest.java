package io.kubetune.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.FineTuneJobStatus;
import io.kubetune.api.v1alpha1.JobState;
import org.junit.jupiter.api.Test;

class JobFileConfigMapTest {

    @Test
    void holdsTheWholeSpecWithNameNamespaceAndUidButNoStatus() {
        FineTuneJob ftj = TestJobs.fineTuneJob();
        ftj.setStatus(new FineTuneJobStatus());
        ftj.getStatus().state = JobState.Running;

        ConfigMap cm = JobFileConfigMap.build(ftj);

        assertThat(cm.getMetadata().getName()).isEqualTo("moby-ftj-job");
        String yaml = cm.getData().get("job.yaml");
        FineTuneJob read = Serialization.unmarshal(yaml, FineTuneJob.class);
        assertThat(read.getMetadata().getName()).isEqualTo("moby");
        assertThat(read.getMetadata().getNamespace()).isEqualTo("team-a");
        // the trainer tags its MLflow run with it
        assertThat(read.getMetadata().getUid()).isEqualTo("6f1c2d3e-0000-4000-8000-000000000001");
        assertThat(read.getSpec().output.uri).isEqualTo("s3://runs/moby");
        assertThat(read.getSpec().training.maxSteps).isEqualTo(4);
        assertThat(read.getStatus()).isNull();
        assertThat(yaml).doesNotContain("ownerReferences").doesNotContain("Running");
        assertThat(cm.getMetadata().getOwnerReferences()).hasSize(1);
    }
}
