package io.kubetune.testing;

/** The namespace a {@link RealCluster} test class runs in (created for it, deleted after it). */
public record TestNamespace(String name) {
    @Override
    public String toString() {
        return name;
    }
}
