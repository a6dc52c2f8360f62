package io.kubetune.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.operator.desired.TestJobs;
import io.kubetune.operator.desired.TrainerRbac;
import io.kubetune.operator.lifecycle.OperatorReasons;
import org.junit.jupiter.api.Test;

/** What a refused API call looks like on the status: a reason and the server's words. */
class ApiErrorsTest {

    private static KubernetesClientException refused(int code, String message) {
        return new KubernetesClientException(
                new StatusBuilder().withCode(code).withMessage(message).build());
    }

    private static ApiErrors.ApiError classify(Exception e) {
        return ApiErrors.classify(e);
    }

    @Test
    void quotaRefusalSaysWhichQuotaAndTheFix() {
        var e =
                classify(
                        refused(
                                403,
                                "jobs.batch \"moby-ftj-1\" is forbidden: exceeded quota: jobs,"
                                        + " requested: count/jobs.batch=1, used: 1, limited: 1"));

        assertThat(e.reason()).isEqualTo(OperatorReasons.QUOTA_EXCEEDED);
        assertThat(e.message()).contains("exceeded quota: jobs").contains("ResourceQuota");
    }

    @Test
    void rbacDenialNamesThePermission() {
        var e =
                classify(
                        refused(
                                403,
                                "serviceaccounts is forbidden: User \"system:serviceaccount:x:op\""
                                        + " cannot create resource \"serviceaccounts\""));

        assertThat(e.reason()).isEqualTo(OperatorReasons.PERMISSION_DENIED);
        assertThat(e.message()).contains("cannot create resource \"serviceaccounts\"");
    }

    @Test
    void admissionWebhookRefusal() {
        var e =
                classify(
                        refused(
                                400,
                                "admission webhook \"policy.example.com\" denied the request: no"
                                        + " GPUs on Fridays"));

        assertThat(e.reason()).isEqualTo(OperatorReasons.ADMISSION_REFUSED);
        assertThat(e.message()).contains("no GPUs on Fridays");
    }

    @Test
    void conflictAndAnythingElse() {
        assertThat(classify(refused(409, "the object has been modified")).reason())
                .isEqualTo(OperatorReasons.API_CONFLICT);
        var other = classify(refused(503, "etcdserver: leader changed"));
        assertThat(other.reason()).isEqualTo(OperatorReasons.API_ERROR);
        assertThat(other.message()).contains("503").contains("leader changed");
        assertThat(classify(new IllegalStateException("boom")).reason())
                .isEqualTo(OperatorReasons.API_ERROR);
    }

    @Test
    void anObjectTheJobDoesNotOwnIsAResourceConflict() {
        var sa =
                new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("moby-ftj-trainer")
                        .endMetadata()
                        .build();
        var e =
                classify(
                        new ResourceConflictException(
                                sa, "exists and is not owned by FineTuneJob moby"));

        assertThat(e.reason()).isEqualTo(Reasons.RESOURCE_CONFLICT);
        assertThat(e.message())
                .isEqualTo(
                        "ServiceAccount moby-ftj-trainer exists and is not owned by FineTuneJob moby");
    }

    @Test
    void ownershipIsTheControllerReferenceToThisVeryJob() {
        var ftj = TestJobs.fineTuneJob();
        var ours = TrainerRbac.serviceAccount(ftj);
        var foreign =
                new ServiceAccountBuilder(ours)
                        .editMetadata()
                        .withOwnerReferences()
                        .endMetadata()
                        .build();
        var recreated = TestJobs.fineTuneJob();
        recreated.getMetadata().setUid("another-uid");

        assertThat(CreateOnly.ownedBy(ours, ftj)).isTrue();
        assertThat(CreateOnly.ownedBy(foreign, ftj)).isFalse();
        // a job deleted and created again under the same name does not adopt the old one's
        assertThat(CreateOnly.ownedBy(ours, recreated)).isFalse();
    }

    @Test
    void longMessagesAreCut() {
        var e = classify(refused(500, "x".repeat(5000)));

        assertThat(e.message()).hasSizeLessThanOrEqualTo(ApiErrors.MAX_MESSAGE);
    }
}
