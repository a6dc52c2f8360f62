package io.kubetune.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;

class TrainerRbacTest {

    @Test
    void roleAllowsOnlyGetAndPatchOfTheJobsOwnStatus() {
        Role role = TrainerRbac.role(TestJobs.fineTuneJob());

        assertThat(role.getRules()).hasSize(1);
        PolicyRule rule = role.getRules().get(0);
        assertThat(rule.getApiGroups()).containsExactly("kubetune.io");
        assertThat(rule.getResources()).containsExactly("finetunejobs/status");
        assertThat(rule.getResourceNames()).containsExactly("moby");
        assertThat(rule.getVerbs()).containsExactly("get", "patch");
        assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
    }

    @Test
    void evalJobsTrainerMayPatchOnlyEvalJobStatus() {
        PolicyRule rule = TrainerRbac.role(TestJobs.evalJob()).getRules().get(0);

        assertThat(rule.getResources()).containsExactly("evaljobs/status");
        assertThat(rule.getResourceNames()).containsExactly("moby-eval");
    }

    @Test
    void bindingGivesTheRoleToTheTrainersServiceAccount() {
        RoleBinding b = TrainerRbac.roleBinding(TestJobs.fineTuneJob());

        assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(b.getRoleRef().getName()).isEqualTo("moby-ftj-trainer");
        assertThat(b.getSubjects())
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.getKind()).isEqualTo("ServiceAccount");
                            assertThat(s.getName()).isEqualTo("moby-ftj-trainer");
                            assertThat(s.getNamespace()).isEqualTo("team-a");
                        });
        assertThat(TrainerRbac.serviceAccount(TestJobs.fineTuneJob()).getMetadata().getName())
                .isEqualTo("moby-ftj-trainer");
        assertThat(
                        TrainerRbac.serviceAccount(TestJobs.fineTuneJob())
                                .getMetadata()
                                .getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo("moby"));
    }
}
