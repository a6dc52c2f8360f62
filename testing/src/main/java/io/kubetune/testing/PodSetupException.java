package io.kubetune.testing;

/**
 * A pod that cannot start as written (a missing ConfigMap, Secret, key or entrypoint): the runner
 * fails it with the message, as the kubelet fails a container it cannot create.
 */
final class PodSetupException extends Exception {
    PodSetupException(String message) {
        super(message);
    }
}
