package io.kubetune.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** A child's name is taken by an object the job does not own. */
final class ResourceConflictException extends RuntimeException {
    ResourceConflictException(HasMetadata object, String what) {
        super(object.getKind() + " " + object.getMetadata().getName() + " " + what);
    }
}
