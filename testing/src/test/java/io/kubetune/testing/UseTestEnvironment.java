package io.kubetune.testing;

/** A test JVM in miniature, for {@link EnvironmentLeaseIT}: uses the environment and ends. */
public final class UseTestEnvironment {
    private UseTestEnvironment() {}

    public static void main(String[] args) {
        System.out.println("api server: " + TestEnvironment.get().apiUrl());
    }
}
