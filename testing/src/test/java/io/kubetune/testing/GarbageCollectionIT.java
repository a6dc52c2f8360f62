package io.kubetune.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Owner references are honoured by the real garbage collector (kube-controller-manager): a Job
 * owned by a FineTuneJob (kubetune CRD) or by a ConfigMap goes away with its owner. The Fabric8
 * mock keeps orphans forever.
 */
@RealCluster
class GarbageCollectionIT {

    @Test
    void jobOwnedByAFineTuneJobIsDeletedWithIt(KubernetesClient client) throws Exception {
        HasMetadata owner =
                FineTuneJobs.api(client)
                        .resource(FineTuneJobs.parse(client, "gc-owner", ""))
                        .create();
        assertOwnedJobIsCollected(
                client, owner, () -> FineTuneJobs.api(client).withName("gc-owner").delete());
    }

    @Test
    void jobOwnedByAConfigMapIsDeletedWithIt(KubernetesClient client) throws Exception {
        HasMetadata owner =
                client.configMaps()
                        .resource(
                                new ConfigMapBuilder()
                                        .withNewMetadata()
                                        .withName("gc-owner-cm")
                                        .endMetadata()
                                        .addToData("k", "v")
                                        .build())
                        .create();
        assertOwnedJobIsCollected(
                client, owner, () -> client.configMaps().withName("gc-owner-cm").delete());
    }

    private static void assertOwnedJobIsCollected(
            KubernetesClient client, HasMetadata owner, Runnable deleteOwner) {
        OwnerReference ref =
                new OwnerReferenceBuilder()
                        .withApiVersion(owner.getApiVersion())
                        .withKind(owner.getKind())
                        .withName(owner.getMetadata().getName())
                        .withUid(owner.getMetadata().getUid())
                        .withController(true)
                        .withBlockOwnerDeletion(true)
                        .build();
        String jobName = owner.getMetadata().getName() + "-job";
        Job job =
                new JobBuilder()
                        .withNewMetadata()
                        .withName(jobName)
                        .withOwnerReferences(ref)
                        .endMetadata()
                        .withNewSpec()
                        .withSuspend(true) // no pods needed to show the garbage collection
                        .withNewTemplate()
                        .withNewSpec()
                        .withRestartPolicy("Never")
                        .addNewContainer()
                        .withName("main")
                        .withImage("busybox")
                        .withCommand("true")
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build();
        client.batch().v1().jobs().resource(job).create();
        assertThat(client.batch().v1().jobs().withName(jobName).get()).isNotNull();

        deleteOwner.run();

        client.batch()
                .v1()
                .jobs()
                .withName(jobName)
                .waitUntilCondition(Objects::isNull, 60, TimeUnit.SECONDS);
    }
}
