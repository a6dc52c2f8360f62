package io.kubetune.operator.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Metadata of owned objects: deleting the owner lets the garbage collector delete them. */
public final class Owners {
    private Owners() {}

    /** The controller owner reference to {@code owner}. */
    public static OwnerReference controllerRef(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** Metadata named {@code name}, in the owner's namespace, labelled and owned by it. */
    public static ObjectMeta metadata(HasMetadata owner, String name) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(owner.getMetadata().getNamespace())
                .withLabels(Labels.of(owner))
                .withAnnotations(Labels.annotations(owner))
                .withOwnerReferences(controllerRef(owner))
                .build();
    }
}
