package io.kubetune.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.operator.lifecycle.Dependencies;
import io.kubetune.operator.lifecycle.Dependencies.Ref;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Watches the FineTuneJobs that jobs of one kind reference (fineTuneJobRef), so that a dependency's
 * change of state reconciles the jobs that wait for it, and looks them up from that watch's cache.
 * The jobs are found through an index of the primary cache by what they reference (JOSDK's way for
 * secondaries without owner references; none is set: deleting a dependency deletes no dependent).
 */
final class DependencyWatch<P extends HasMetadata> {
    private static final String INDEX = "kubetune-fine-tune-job-refs";

    private final Function<P, List<Ref>> refs;
    private volatile InformerEventSource<FineTuneJob, P> informer;

    DependencyWatch(Function<P, List<Ref>> refs) {
        this.refs = refs;
    }

    /** The event source; call once from prepareEventSources. */
    InformerEventSource<FineTuneJob, P> eventSource(EventSourceContext<P> context) {
        context.getPrimaryCache()
                .addIndexer(
                        INDEX,
                        p ->
                                refs.apply(p).stream()
                                        .map(r -> key(p.getMetadata().getNamespace(), r))
                                        .toList());
        InformerEventSource<FineTuneJob, P> source =
                new InformerEventSource<>(
                        InformerEventSourceConfiguration.from(
                                        FineTuneJob.class, context.getPrimaryResourceClass())
                                .withName("fine-tune-job-dependencies")
                                .withSecondaryToPrimaryMapper(
                                        (FineTuneJob dep) ->
                                                context
                                                        .getPrimaryCache()
                                                        .byIndex(INDEX, key(dep))
                                                        .stream()
                                                        .map(ResourceID::fromResource)
                                                        .collect(Collectors.toSet()))
                                .withPrimaryToSecondaryMapper(
                                        (P p) ->
                                                refs.apply(p).stream()
                                                        .map(
                                                                r ->
                                                                        new ResourceID(
                                                                                r.ref().name,
                                                                                p.getMetadata()
                                                                                        .getNamespace()))
                                                        .collect(Collectors.toSet()))
                                .withNamespacesInheritedFromController()
                                .build(),
                        context);
        informer = source;
        return source;
    }

    /**
     * Whether the job's references let it start, with the dependencies read from the watch's cache
     * (or, before the watch runs, from the API server).
     *
     * @param self the job's name when it is a FineTuneJob (a chain back to it is a cycle), else
     *     null
     * @param started whether an attempt was launched before (its job file holds the URIs)
     */
    Dependencies.Check check(P job, String self, boolean started, KubernetesClient client) {
        String ns = job.getMetadata().getNamespace();
        Function<String, FineTuneJob> lookup = name -> find(client, ns, name);
        return started
                ? Dependencies.checkLaterAttempt(ns, self, refs.apply(job), lookup)
                : Dependencies.check(ns, self, refs.apply(job), lookup);
    }

    private FineTuneJob find(KubernetesClient client, String ns, String name) {
        InformerEventSource<FineTuneJob, P> cache = informer;
        if (cache != null) {
            return cache.get(new ResourceID(name, ns)).orElse(null);
        }
        return client.resources(FineTuneJob.class).inNamespace(ns).withName(name).get();
    }

    private static String key(String namespace, Ref r) {
        return namespace + "/" + r.ref().name;
    }

    private static String key(FineTuneJob dep) {
        return dep.getMetadata().getNamespace() + "/" + dep.getMetadata().getName();
    }
}
