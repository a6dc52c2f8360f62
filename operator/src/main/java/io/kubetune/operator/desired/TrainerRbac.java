package io.kubetune.operator.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;

/**
 * The trainer's identity: a ServiceAccount per job whose Role allows exactly what the trainer does
 * with the API (get and patch the status of its own resource), nothing else.
 */
public final class TrainerRbac {
    private TrainerRbac() {}

    public static ServiceAccount serviceAccount(HasMetadata owner) {
        return new ServiceAccountBuilder()
                .withMetadata(Owners.metadata(owner, Names.trainer(owner)))
                .build();
    }

    /** get and patch on {@code <plural>/status}, for this one resource. */
    public static Role role(HasMetadata owner) {
        return new RoleBuilder()
                .withMetadata(Owners.metadata(owner, Names.trainer(owner)))
                .withRules(
                        new PolicyRuleBuilder()
                                .withApiGroups(HasMetadata.getGroup(owner.getClass()))
                                .withResources(HasMetadata.getPlural(owner.getClass()) + "/status")
                                .withResourceNames(owner.getMetadata().getName())
                                .withVerbs("get", "patch")
                                .build())
                .build();
    }

    public static RoleBinding roleBinding(HasMetadata owner) {
        String name = Names.trainer(owner);
        return new RoleBindingBuilder()
                .withMetadata(Owners.metadata(owner, name))
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("Role")
                .withName(name)
                .endRoleRef()
                .withSubjects(
                        new SubjectBuilder()
                                .withKind("ServiceAccount")
                                .withName(name)
                                .withNamespace(owner.getMetadata().getNamespace())
                                .build())
                .build();
    }
}
