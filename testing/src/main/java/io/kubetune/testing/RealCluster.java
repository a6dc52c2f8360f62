package io.kubetune.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test class against the real Kubernetes API server and MinIO of {@code test-env/}
 * (started by {@code test-env/up.sh} if they are not up): the class gets its own namespace, the
 * CRDs of the repository's {@code crds/} folder are applied, and test methods, constructors and
 * {@code @BeforeAll}/{@code @BeforeEach} methods can take parameters (or declare non-static fields)
 * of type {@link io.fabric8.kubernetes.client.KubernetesClient} (admin, default namespace = the
 * class's), {@link TestNamespace}, {@link S3Handle}, {@link io.minio.MinioClient}, {@link
 * TestEnvironment} and {@link TestPodRunner} (started on first use for the class's namespace). The
 * namespace is deleted after the class (kept with {@code -Dkubetune.keepNamespaces=true}). See
 * {@link RealClusterExtension}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(RealClusterExtension.class)
public @interface RealCluster {

    /** Apply every {@code *.yaml}/{@code *.yml} of the repository's {@code crds/} folder. */
    boolean applyRepoCrds() default true;

    /** More CRD (or other cluster-scoped) manifests on the test class path, applied too. */
    String[] crdResources() default {};

    /** Keep the namespace after the class, for looking at it by hand. */
    boolean keepNamespace() default false;
}
