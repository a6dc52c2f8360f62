package io.kubetune.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.minio.MinioClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link RealCluster}: one namespace per test class (shared with its
 * {@code @Nested} classes), CRDs applied once per JVM (server-side apply, then waiting for
 * Established), and the clients injected as parameters or into non-static fields that are still
 * null.
 */
public final class RealClusterExtension implements ParameterResolver, TestInstancePostProcessor {

    private static final ExtensionContext.Namespace NS =
            ExtensionContext.Namespace.create(RealClusterExtension.class);
    private static final Set<Class<?>> INJECTABLE =
            Set.of(
                    KubernetesClient.class,
                    TestNamespace.class,
                    S3Handle.class,
                    MinioClient.class,
                    TestEnvironment.class,
                    TestPodRunner.class);

    /** Field manager of the CRDs applied by the tests. */
    public static final String FIELD_MANAGER = "kubetune-tests";

    /** CRD manifests already applied in this JVM (path + content hash). */
    private static final Set<String> APPLIED = ConcurrentHashMap.newKeySet();

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return INJECTABLE.contains(pc.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        try {
            return state(ec).get(pc.getParameter().getType());
        } catch (RuntimeException e) {
            throw new ParameterResolutionException(
                    "could not set up the real cluster for " + pc.getParameter(), e);
        }
    }

    @Override
    public void postProcessTestInstance(Object instance, ExtensionContext ec) throws Exception {
        for (Class<?> c = instance.getClass();
                c != null && c != Object.class;
                c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (Modifier.isStatic(mod)
                        || Modifier.isFinal(mod)
                        || !INJECTABLE.contains(f.getType())) {
                    continue;
                }
                f.setAccessible(true);
                if (f.get(instance) == null) {
                    f.set(instance, state(ec).get(f.getType()));
                }
            }
        }
    }

    /** The namespace of the running test class (for helpers that only get the context). */
    public static TestNamespace namespace(ExtensionContext ec) {
        return state(ec).namespace;
    }

    private static ClassState state(ExtensionContext ec) {
        ExtensionContext classContext = outermostClassContext(ec);
        return classContext
                .getStore(NS)
                .getOrComputeIfAbsent("state", k -> new ClassState(classContext), ClassState.class);
    }

    private static ExtensionContext outermostClassContext(ExtensionContext ec) {
        ExtensionContext c = ec;
        while (c.getParent().isPresent() && c.getParent().get().getTestClass().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    /** Everything one test class gets; closed by JUnit when the class is done. */
    private static final class ClassState implements ExtensionContext.Store.CloseableResource {
        final TestEnvironment env;
        final RealCluster config;
        final TestNamespace namespace;
        final KubernetesClient client;
        final S3Handle s3;
        private MinioClient minio;
        private TestPodRunner podRunner;

        ClassState(ExtensionContext classContext) {
            Class<?> testClass = classContext.getRequiredTestClass();
            this.config = findConfig(testClass);
            this.env = TestEnvironment.get();
            this.s3 = env.s3();
            String ns = namespaceName(testClass);
            this.namespace = new TestNamespace(ns);
            try (KubernetesClient admin = env.newClient()) {
                applyCrds(admin, testClass);
                admin.namespaces()
                        .resource(
                                new NamespaceBuilder()
                                        .withNewMetadata()
                                        .withName(ns)
                                        .addToLabels("kubetune.io/test", "true")
                                        .addToLabels(
                                                "kubetune.io/test-class",
                                                labelValue(testClass.getSimpleName()))
                                        .endMetadata()
                                        .build())
                        .create();
                // the service-account controller creates "default"; pods need it
                admin.serviceAccounts()
                        .inNamespace(ns)
                        .withName("default")
                        .waitUntilCondition(Objects::nonNull, 60, TimeUnit.SECONDS);
            }
            this.client = env.newClient(ns);
        }

        synchronized Object get(Class<?> type) {
            if (type == KubernetesClient.class) {
                return client;
            }
            if (type == TestNamespace.class) {
                return namespace;
            }
            if (type == S3Handle.class) {
                return s3;
            }
            if (type == TestEnvironment.class) {
                return env;
            }
            if (type == MinioClient.class) {
                if (minio == null) {
                    minio = s3.client();
                }
                return minio;
            }
            if (type == TestPodRunner.class) {
                if (podRunner == null) {
                    podRunner =
                            TestPodRunner.builder(client, namespace.name())
                                    .nodes(env.fakeNodes())
                                    .start();
                }
                return podRunner;
            }
            throw new IllegalArgumentException(type.getName());
        }

        @Override
        public synchronized void close() {
            try {
                if (podRunner != null) {
                    podRunner.close();
                }
                if (!config.keepNamespace() && !Boolean.getBoolean("kubetune.keepNamespaces")) {
                    // not waited for: the namespace controller finishes it in the background
                    client.namespaces().withName(namespace.name()).delete();
                } else {
                    System.out.println("[RealCluster] kept namespace " + namespace.name());
                }
            } finally {
                client.close();
            }
        }

        private static RealCluster findConfig(Class<?> testClass) {
            for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
                var found = AnnotationSupport.findAnnotation(c, RealCluster.class);
                if (found.isPresent()) {
                    return found.get();
                }
            }
            // used through @ExtendWith(RealClusterExtension.class) alone: the defaults
            return Defaults.class.getAnnotation(RealCluster.class);
        }

        @RealCluster
        private static final class Defaults {}
    }

    // ------------------------------------------------------------------ CRDs

    private static void applyCrds(KubernetesClient admin, Class<?> testClass) {
        RealCluster config = ClassState.findConfig(testClass);
        List<String> sources = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        if (config.applyRepoCrds()) {
            Path dir = TestEnvironment.get().repoRoot().resolve("crds");
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f :
                            files.filter(
                                            p ->
                                                    p.toString().endsWith(".yaml")
                                                            || p.toString().endsWith(".yml"))
                                    .sorted()
                                    .toList()) {
                        sources.add(f.toString());
                        contents.add(Files.readAllBytes(f));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        for (String resource : config.crdResources()) {
            String r = resource.startsWith("/") ? resource.substring(1) : resource;
            try (InputStream in =
                    Thread.currentThread().getContextClassLoader().getResourceAsStream(r)) {
                if (in == null) {
                    throw new IllegalArgumentException("no class path resource " + resource);
                }
                sources.add("classpath:" + r);
                contents.add(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (int i = 0; i < sources.size(); i++) {
            String key = sources.get(i) + "@" + sha256(contents.get(i));
            if (APPLIED.contains(key)) {
                continue;
            }
            synchronized (APPLIED) {
                if (APPLIED.contains(key)) {
                    continue;
                }
                apply(admin, sources.get(i), contents.get(i));
                APPLIED.add(key);
            }
        }
    }

    /** Server-side applies every document of a manifest; waits for CRDs to be Established. */
    public static void apply(KubernetesClient admin, String source, byte[] manifest) {
        List<HasMetadata> items;
        try (InputStream in = new java.io.ByteArrayInputStream(manifest)) {
            items = admin.load(in).items();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "cannot parse "
                            + source
                            + ": "
                            + new String(
                                    manifest,
                                    0,
                                    Math.min(200, manifest.length),
                                    StandardCharsets.UTF_8),
                    e);
        }
        for (HasMetadata item : items) {
            if (item == null) {
                continue;
            }
            item.getMetadata().setResourceVersion(null);
            admin.resource(item).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        }
        for (HasMetadata item : items) {
            if (item instanceof CustomResourceDefinition crd) {
                admin.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .withName(crd.getMetadata().getName())
                        .waitUntilCondition(
                                RealClusterExtension::established, 60, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null
                && crd.getStatus() != null
                && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(
                                c ->
                                        "Established".equals(c.getType())
                                                && "True".equals(c.getStatus()));
    }

    // ------------------------------------------------------------------ helpers

    static String namespaceName(Class<?> testClass) {
        String kebab =
                testClass
                        .getSimpleName()
                        .replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                        .toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9-]", "-")
                        .replaceAll("-+", "-")
                        .replaceAll("^-|-$", "");
        if (kebab.length() > 45) {
            kebab = kebab.substring(0, 45).replaceAll("-$", "");
        }
        String suffix = String.format("%06x", ThreadLocalRandom.current().nextInt(0x1000000));
        return "kt-" + kebab + "-" + suffix;
    }

    private static String labelValue(String s) {
        String v = s.replaceAll("[^A-Za-z0-9._-]", "-");
        v = v.length() > 63 ? v.substring(0, 63) : v;
        return v.replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
