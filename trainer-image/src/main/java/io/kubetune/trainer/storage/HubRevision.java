package io.kubetune.trainer.storage;

import java.util.List;

/**
 * A repository at one commit: what a branch or tag pointed to when it was resolved, and its files.
 */
public record HubRevision(String commit, List<HubFile> files) {}
