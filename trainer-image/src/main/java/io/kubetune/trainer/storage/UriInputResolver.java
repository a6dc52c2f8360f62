package io.kubetune.trainer.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Every input scheme of a job: {@code hf://} (hub), {@code s3://}, {@code https://} and local
 * paths, remote ones downloaded into the cache folder. Clients are made on first use, so a job with
 * local inputs needs no S3 credentials or hub token. One {@link DownloadBudget} spans every input
 * this resolver fetches.
 */
public final class UriInputResolver implements InputResolver {
    private final LocalInputResolver local;
    private final Path cacheRoot;
    private final Map<String, String> env;
    private final DownloadBudget budget;

    /**
     * @param base folder relative paths are read against (the job file's)
     * @param env the environment (S3 keys, HF_TOKEN, HF_ENDPOINT)
     */
    public UriInputResolver(Path base, Path cacheRoot, Map<String, String> env) {
        this.local = new LocalInputResolver(base);
        this.cacheRoot = cacheRoot;
        this.env = Map.copyOf(env);
        this.budget = new DownloadBudget(DownloadLimits.fromEnvironment(env));
    }

    @Override
    public Path resolve(String uri, String field) throws IOException {
        return resolve(uri, field, false);
    }

    @Override
    public Path resolve(String uri, String field, boolean allowInsecureHttp) throws IOException {
        if (HubRepo.matches(uri)) {
            return new HubDownload(HubClient.fromEnvironment(env), budget)
                    .fetch(
                            HubRepo.parse(uri, field),
                            cacheRoot,
                            field,
                            field.startsWith("spec.validation"));
        }
        if (S3Uri.matches(uri)) {
            S3Settings s3 = S3Settings.fromEnvironment(env, field, secretRefOf(field));
            return new S3Download(s3.client(), budget)
                    .fetch(S3Uri.parse(uri, field), cacheRoot, field);
        }
        if (HttpsDownload.matches(uri)) {
            return new HttpsDownload(budget).fetch(uri, cacheRoot, field, allowInsecureHttp);
        }
        if (uri.contains("://")) {
            throw new IllegalArgumentException(
                    field
                            + " is "
                            + uri
                            + ": use hf://, s3://, https:// or a path; other schemes are not read");
        }
        return local.resolve(uri, field);
    }

    private static String secretRefOf(String field) {
        return field.startsWith("spec.model") ? "spec.model.secretRef" : "the job's secretRef";
    }
}
