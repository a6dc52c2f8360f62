package io.kubetune.trainer.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Brings a hub model or dataset file into the cache, under {@code
 * hf/<kind>/<org>--<name>/<commit>}: the revision is resolved to a commit first, so two revisions
 * never mix and a pinned commit is served from the cache. When the hub cannot be reached, the
 * commit a revision last resolved to (kept in {@code refs/}) is used if its files are complete.
 * Every name the hub answers with goes through {@link RemotePaths} and every size through the run's
 * {@link DownloadBudget} before a byte is fetched.
 */
public final class HubDownload {
    private final HubClient hub;
    private final DownloadBudget budget;

    public HubDownload(HubClient hub, DownloadBudget budget) {
        this.hub = hub;
        this.budget = budget;
    }

    /** A model folder or a dataset file. */
    public Path fetch(HubRepo repo, Path cacheRoot, String field, boolean validation)
            throws IOException {
        String source = field + " " + repo;
        Path repoDir =
                RemotePaths.inside(
                        cacheRoot.resolve("hf").resolve(repo.apiKind()),
                        repo.id().replace("/", "--"),
                        source);
        Path ref =
                RemotePaths.inside(
                        repoDir.resolve("refs"), repo.revision().replace("/", "--"), source);
        HubRevision revision;
        try {
            revision = hub.revision(repo, field);
        } catch (IOException unreachable) {
            Path cached = cachedSnapshot(repo, repoDir, ref, source);
            if (cached != null) {
                return cached;
            }
            throw new IOException(
                    source + ": the hub cannot be reached: " + unreachable, unreachable);
        }
        Path snapshot = repoDir.resolve(revision.commit()); // 40 hex, checked by HubClient
        List<HubFile> files =
                repo.dataset()
                        ? List.of(HubFileSelection.dataFile(revision, repo, field, validation))
                        : HubFileSelection.model(revision, repo, field);
        List<Path> targets =
                files.stream()
                        .map(f -> RemotePaths.inside(snapshot, f.path(), source + ": the hub"))
                        .toList();
        Files.createDirectories(ref.getParent());
        Files.writeString(ref, revision.commit());
        if (repo.dataset() || !CacheEntry.isComplete(snapshot)) {
            long[] max = new long[files.size()];
            for (int i = 0; i < files.size(); i++) { // all admitted first: refused before any byte
                max[i] = budget.admit(files.get(i).size(), source + " file " + files.get(i).path());
            }
            for (int i = 0; i < files.size(); i++) {
                download(repo, revision.commit(), files.get(i), targets.get(i), field, max[i]);
            }
            if (!repo.dataset()) {
                CacheEntry.markComplete(snapshot, repo + " commit " + revision.commit());
            }
        }
        return repo.dataset() ? targets.get(0) : snapshot;
    }

    private void download(
            HubRepo repo, String commit, HubFile file, Path target, String field, long max)
            throws IOException {
        if (Files.exists(target)) { // files appear only once verified
            return;
        }
        hub.download(repo, commit, file, target, field, max);
        if (file.size() < 0) {
            budget.spentUndeclared(Files.size(target));
        }
    }

    private static Path cachedSnapshot(HubRepo repo, Path repoDir, Path ref, String source)
            throws IOException {
        if (!Files.exists(ref)) {
            return null;
        }
        Path snapshot = repoDir.resolve(RemotePaths.commit(Files.readString(ref).trim(), source));
        if (!repo.dataset()) {
            return CacheEntry.isComplete(snapshot) ? snapshot : null;
        }
        if (repo.file() != null) {
            Path file = RemotePaths.inside(snapshot, repo.file(), source);
            return Files.exists(file) ? file : null;
        }
        return null;
    }
}
