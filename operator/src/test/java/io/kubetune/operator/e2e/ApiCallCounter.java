package io.kubetune.operator.e2e;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Counts a client's answered API requests by verb, resource and HTTP code ({@code POST configmaps
 * 201}), watches and list-then-watch excluded: what the operator asks of the API server per job.
 */
final class ApiCallCounter implements Interceptor {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    @Override
    public void after(
            HttpRequest request,
            HttpResponse<?> response,
            AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        String query = request.uri().getQuery();
        if (query != null && query.contains("watch=true")) {
            return;
        }
        String key = request.method() + " " + resource(request.uri().getPath());
        counts.computeIfAbsent(key + " " + response.code(), k -> new LongAdder()).increment();
    }

    /** Requests by "VERB resource code", sorted. */
    Map<String, Long> counts() {
        return counts.entrySet().stream()
                .collect(
                        Collectors.toMap(
                                Map.Entry::getKey,
                                e -> e.getValue().sum(),
                                Long::sum,
                                TreeMap::new));
    }

    long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /**
     * The resource of a path: {@code /apis/batch/v1/namespaces/n/jobs/x} is {@code jobs}, a
     * subresource is {@code finetunejobs/status}; a list of all is the plural alone.
     */
    static String resource(String path) {
        String[] p = path.replaceAll("^/+", "").split("/");
        int i = p[0].equals("api") ? 2 : 3; // after api/v1 or apis/group/version
        if (i < p.length && p[i].equals("namespaces") && i + 2 < p.length) {
            i += 2;
        }
        if (i >= p.length) {
            return path;
        }
        String resource = p[i];
        return i + 2 < p.length ? resource + "/" + p[i + 2] : resource;
    }
}
