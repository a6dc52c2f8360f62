package io.kubetune.trainer.storage;

/**
 * A Hugging Face hub URI: {@code hf://org/name[@revision]} (a model) or {@code
 * hf://datasets/org/name[@revision][/path/in/repo]} (a dataset, optionally one file of it).
 *
 * @param dataset whether it is a dataset repository
 * @param id {@code org/name}
 * @param revision a branch, tag or commit; {@code main} when not given
 * @param file a file inside the repository, or null for "pick the files the trainer needs"
 */
public record HubRepo(boolean dataset, String id, String revision, String file) {
    static final String SCHEME = "hf://";

    public static boolean matches(String uri) {
        return uri.startsWith(SCHEME);
    }

    public static HubRepo parse(String uri, String field) {
        String rest = uri.substring(SCHEME.length());
        boolean dataset = rest.startsWith("datasets/");
        if (dataset) {
            rest = rest.substring("datasets/".length());
        }
        String[] parts = rest.split("/", 3);
        if (parts.length < 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new IllegalArgumentException(
                    field
                            + " is "
                            + uri
                            + ": write hf://org/name[@revision] for a model or"
                            + " hf://datasets/org/name[@revision] for a dataset");
        }
        String name = parts[1];
        String revision = "main";
        int at = name.indexOf('@');
        if (at >= 0) {
            revision = name.substring(at + 1);
            name = name.substring(0, at);
        }
        String file = parts.length == 3 && !parts[2].isEmpty() ? parts[2] : null;
        if (file != null && !dataset) {
            throw new IllegalArgumentException(
                    field + " is " + uri + ": a model is a whole repository; drop /" + file);
        }
        return new HubRepo(dataset, parts[0] + "/" + name, revision, file);
    }

    /** The path segment of the hub's API: {@code models} or {@code datasets}. */
    String apiKind() {
        return dataset ? "datasets" : "models";
    }

    /** The URL path prefix of file downloads: {@code org/name} or {@code datasets/org/name}. */
    String urlPrefix() {
        return dataset ? "datasets/" + id : id;
    }

    @Override
    public String toString() {
        return SCHEME + urlPrefix() + "@" + revision + (file == null ? "" : "/" + file);
    }
}
