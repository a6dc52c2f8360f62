package io.kubetune.trainer.storage;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which files of a hub repository the trainer downloads. A model: its config, tokenizer and
 * safetensors weights (with the shard index) at the top level, nothing else (no ONNX, GGUF or
 * PyTorch-pickle copies). A dataset: one data file, chosen by split the way the hub names splits
 * ({@code train}/{@code training}; {@code validation}/{@code valid}/{@code val}/{@code dev}, then
 * {@code test}, for a validation URI) as a word of a file or folder name, e.g. {@code
 * data/train-00000-of-00001.parquet}. A repository with a single data file gives that file.
 */
final class HubFileSelection {
    private static final Set<String> MODEL_FILES =
            Set.of(
                    "config.json",
                    "generation_config.json",
                    "tokenizer.json",
                    "tokenizer_config.json",
                    "special_tokens_map.json",
                    "added_tokens.json",
                    "tokenizer.model",
                    "vocab.json",
                    "merges.txt",
                    "model.safetensors.index.json");
    private static final Set<String> DATA_EXTENSIONS = Set.of("parquet", "jsonl", "json", "csv");
    private static final List<String> TRAIN = List.of("train", "training");
    private static final List<List<String>> VALIDATION =
            List.of(List.of("validation", "valid", "val", "dev"), List.of("test", "testing"));

    // the hub's names are echoed in an error only when plainly harmless
    private static final Pattern SHOWN = Pattern.compile("[A-Za-z0-9._/-]{1,200}");

    private HubFileSelection() {}

    static List<HubFile> model(HubRevision revision, HubRepo repo, String field) {
        List<HubFile> chosen =
                revision.files().stream()
                        .filter(f -> !f.path().contains("/"))
                        .filter(
                                f ->
                                        MODEL_FILES.contains(f.path())
                                                || f.path().endsWith(".safetensors"))
                        .toList();
        if (chosen.stream().noneMatch(f -> f.path().endsWith(".safetensors"))) {
            throw new IllegalArgumentException(
                    field
                            + " "
                            + repo
                            + " has no *.safetensors weights at its top level; this trainer reads"
                            + " safetensors only: pick a revision or a copy of the model that has"
                            + " them");
        }
        return chosen;
    }

    /**
     * @param validation whether the URI is the job's validation set (then a validation or test
     *     split is preferred)
     */
    static HubFile dataFile(HubRevision revision, HubRepo repo, String field, boolean validation) {
        if (repo.file() != null) {
            return revision.files().stream()
                    .filter(f -> f.path().equals(repo.file()))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new IllegalArgumentException(
                                            field
                                                    + " "
                                                    + repo
                                                    + " was not found at revision "
                                                    + repo.revision()
                                                    + ": the repository has no file "
                                                    + repo.file()));
        }
        List<HubFile> data =
                revision.files().stream().filter(f -> DATA_EXTENSIONS.contains(ext(f))).toList();
        if (data.size() == 1) {
            return data.get(0);
        }
        for (List<String> split : validation ? VALIDATION : List.of(TRAIN)) {
            List<HubFile> matching = data.stream().filter(f -> isSplit(f.path(), split)).toList();
            if (matching.size() == 1) {
                return matching.get(0);
            }
            if (matching.size() > 1) {
                throw choose(field, repo, matching, "several files of the split " + split.get(0));
            }
        }
        throw choose(
                field,
                repo,
                data,
                data.isEmpty()
                        ? "no parquet, jsonl, json or csv file"
                        : "no file named for the split " + (validation ? "validation" : "train"));
    }

    private static IllegalArgumentException choose(
            String field, HubRepo repo, List<HubFile> candidates, String problem) {
        return new IllegalArgumentException(
                field
                        + " "
                        + repo
                        + " has "
                        + problem
                        + "; name one file in the URI, e.g. hf://"
                        + repo.urlPrefix()
                        + "@"
                        + repo.revision()
                        + "/"
                        + (candidates.isEmpty() ? "data/train.jsonl" : candidates.get(0).path())
                        + (candidates.isEmpty()
                                ? ""
                                : " (files: "
                                        + String.join(
                                                ", ",
                                                candidates.stream()
                                                        .filter(
                                                                f ->
                                                                        SHOWN.matcher(f.path())
                                                                                .matches())
                                                        .limit(5)
                                                        .map(HubFile::path)
                                                        .toList())
                                        + ")"));
    }

    private static boolean isSplit(String path, List<String> names) {
        String p = path.toLowerCase(Locale.ROOT);
        for (String name : names) {
            if (Pattern.compile("(^|[/_.\\-])" + name + "([/_.\\-]|$)").matcher(p).find()) {
                return true;
            }
        }
        return false;
    }

    private static String ext(HubFile f) {
        int dot = f.path().lastIndexOf('.');
        return dot < 0 ? "" : f.path().substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
