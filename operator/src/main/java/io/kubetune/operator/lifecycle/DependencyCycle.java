package io.kubetune.operator.lifecycle;

import io.kubetune.api.v1alpha1.FineTuneJob;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** A walk of the FineTuneJob references that finds a chain leading back to the job itself. */
final class DependencyCycle {
    private DependencyCycle() {}

    /**
     * The chain of references from {@code dep} that leads back to {@code self}, starting and ending
     * with it; empty when there is none (or the chain goes through jobs that do not exist yet).
     */
    static Optional<List<String>> find(
            String self, String dep, Function<String, FineTuneJob> lookup) {
        List<String> path = new ArrayList<>(List.of(self));
        return walk(self, dep, lookup, path, new HashSet<>());
    }

    private static Optional<List<String>> walk(
            String self,
            String at,
            Function<String, FineTuneJob> lookup,
            List<String> path,
            Set<String> seen) {
        path.add(at);
        if (at.equals(self)) {
            return Optional.of(List.copyOf(path));
        }
        FineTuneJob job = seen.add(at) ? lookup.apply(at) : null;
        if (job != null && job.getSpec() != null) {
            for (Dependencies.Ref next : Dependencies.of(job.getSpec())) {
                Optional<List<String>> found = walk(self, next.ref().name, lookup, path, seen);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        path.remove(path.size() - 1);
        return Optional.empty();
    }
}
