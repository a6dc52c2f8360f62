package io.kubetune.trainer.storage;

import io.kubetune.trainer.UserInputException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The one gate through which a name from outside (a hub's file list or commit id, an S3 key or
 * checkpoint manifest, a URL's path) becomes a path: it must stay inside its folder. Refusals name
 * the source and the problem, never the remote name itself (fetched content is not echoed).
 */
public final class RemotePaths {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final int MAX_NAME = 1024;

    private RemotePaths() {}

    /**
     * {@code folder/name}, normalised, when that stays strictly inside {@code folder}.
     *
     * @param source what named it, for the error: e.g. {@code spec.model.uri hf://org/x: the hub}
     * @throws UserInputException for an empty, absolute, {@code ..}-climbing or odd name
     */
    public static Path inside(Path folder, String name, String source) {
        Path base = folder.toAbsolutePath().normalize();
        String problem = problem(name);
        if (problem == null) {
            Path resolved = base.resolve(name).normalize();
            if (resolved.startsWith(base) && !resolved.equals(base)) {
                return resolved;
            }
            problem = "leaves its folder";
        }
        throw new UserInputException(
                source
                        + " named a file that "
                        + problem
                        + "; refused, nothing was written outside "
                        + base
                        + " (check that the source is the one meant, e.g. HF_ENDPOINT)");
    }

    /**
     * A hub commit id: exactly 40 lower-case hex characters (it becomes a folder name).
     *
     * @throws UserInputException for anything else
     */
    public static String commit(String sha, String source) {
        if (sha == null || !COMMIT.matcher(sha).matches()) {
            throw new UserInputException(
                    source
                            + " answered with a commit id that is not 40 hex characters; refused"
                            + " (check that HF_ENDPOINT is a Hugging Face hub)");
        }
        return sha;
    }

    private static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "has an empty name";
        }
        if (name.length() > MAX_NAME) {
            return "has a name longer than " + MAX_NAME + " characters";
        }
        if (name.startsWith("/") || name.contains("\\")) {
            return "is an absolute path or has a backslash";
        }
        if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "has a control character in its name";
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "has an empty, '.' or '..' path segment";
            }
        }
        return null;
    }
}
