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
 */
public final class HubDownload {
    private final HubClient hub;

    public HubDownload(HubClient hub) {
        this.hub = hub;
    }

    /** A model folder or a dataset file. */
    public Path fetch(HubRepo repo, Path cacheRoot, String field, boolean validation)
            throws IOException {
        Path repoDir =
                cacheRoot
                        .resolve("hf")
                        .resolve(repo.apiKind())
                        .resolve(repo.id().replace("/", "--"));
        Path ref = repoDir.resolve("refs").resolve(repo.revision().replace("/", "--"));
        HubRevision revision;
        try {
            revision = hub.revision(repo, field);
        } catch (IOException unreachable) {
            Path cached = cachedSnapshot(repo, repoDir, ref);
            if (cached != null) {
                return cached;
            }
            throw new IOException(
                    field + " " + repo + ": the hub cannot be reached: " + unreachable,
                    unreachable);
        }
        Path snapshot = repoDir.resolve(revision.commit());
        Files.createDirectories(ref.getParent());
        Files.writeString(ref, revision.commit());
        if (repo.dataset()) {
            HubFile file = HubFileSelection.dataFile(revision, repo, field, validation);
            Path target = snapshot.resolve(file.path());
            if (!Files.exists(target)) {
                hub.download(repo, revision.commit(), file, target, field);
            }
            return target;
        }
        if (!CacheEntry.isComplete(snapshot)) {
            List<HubFile> files = HubFileSelection.model(revision, repo, field);
            for (HubFile file : files) {
                Path target = snapshot.resolve(file.path());
                if (!Files.exists(target)) { // files appear only once verified
                    hub.download(repo, revision.commit(), file, target, field);
                }
            }
            CacheEntry.markComplete(snapshot, repo + " commit " + revision.commit());
        }
        return snapshot;
    }

    private static Path cachedSnapshot(HubRepo repo, Path repoDir, Path ref) throws IOException {
        if (!Files.exists(ref)) {
            return null;
        }
        Path snapshot = repoDir.resolve(Files.readString(ref).trim());
        if (!repo.dataset()) {
            return CacheEntry.isComplete(snapshot) ? snapshot : null;
        }
        if (repo.file() != null && Files.exists(snapshot.resolve(repo.file()))) {
            return snapshot.resolve(repo.file());
        }
        return null;
    }
}
