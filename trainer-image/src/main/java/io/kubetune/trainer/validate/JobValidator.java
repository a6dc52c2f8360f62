package io.kubetune.trainer.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.UserInputException;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Checks a FineTuneJob or EvalJob file as the API server checks it on create (the committed CRD's
 * defaults, OpenAPI schema and CEL rules), so a spec the cluster would refuse is refused on this
 * machine too, before anything is downloaded or trained, with its line, field and fix named.
 *
 * <p>Then what this trainer version cannot run although the cluster would accept it (a stage not
 * built here) is refused the same way.
 *
 * <p>One difference, on purpose: a model or data URI may be a path relative to the job file's
 * folder here (the cluster needs hf://, s3://, https:// or an absolute path); {@link
 * Result#localOnly()} lists such fields.
 */
public final class JobValidator {
    /** The API group and version of the kinds checked. */
    public static final String API_VERSION = "kubetune.io/v1alpha1";

    private final Consumer<String> warnings;

    /**
     * @param warnings where notes go (e.g. a rule this library cannot check)
     */
    public JobValidator(Consumer<String> warnings) {
        this.warnings = warnings;
    }

    /** What a check found. */
    public record Result(String kind, List<SpecProblem> problems, List<String> localOnly) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /**
     * Refuses a job file the API server would refuse.
     *
     * @return the file's kind
     * @throws UserInputException naming the first problem's line, field and fix
     */
    public String check(Path file) {
        Result result = validate(file);
        if (!result.valid()) {
            SpecProblem first = result.problems().get(0);
            int more = result.problems().size() - 1;
            throw new UserInputException(
                    first.format(file.toString())
                            + (more > 0
                                    ? " (and " + more + " more: kubetune validate " + file + ")"
                                    : ""));
        }
        return result.kind();
    }

    /** Every problem of a job file. */
    public Result validate(Path file) {
        return validate(read(file), file.toString());
    }

    /** Every problem of a job file's text. */
    public Result validate(String text, String fileName) {
        YamlDocument document = YamlDocument.parse(text, fileName);
        JsonNode root = document.root();
        String kind = root.path("kind").asText("");
        List<SpecProblem> problems = new ArrayList<>(header(document, root, kind));
        if (!problems.isEmpty()) {
            return new Result(kind, problems, List.of());
        }
        JsonNode schema = CrdSchemas.of(kind);
        ObjectNode resource = (ObjectNode) root.deepCopy();
        resource.remove("status"); // the API server ignores it on create
        List<String> localOnly = LocalPaths.makeAbsolute(resource);
        SchemaDefaults.apply(schema, resource);
        problems.addAll(new OpenApiCheck(schema).check(document, resource));
        if (problems.isEmpty()) {
            // As the server: rules are checked on a value of the right shape.
            problems.addAll(new CelRules(schema, warnings).check(document, resource));
        }
        if (problems.isEmpty()) {
            problems.addAll(TrainerChecks.check(document, kind, resource));
        }
        problems.sort(Comparator.comparingInt(SpecProblem::line));
        return new Result(kind, List.copyOf(problems), localOnly);
    }

    private static List<SpecProblem> header(YamlDocument document, JsonNode root, String kind) {
        if (!root.isObject()) {
            return List.of(
                    new SpecProblem(
                            1, "(document)", "not a resource: write a FineTuneJob or EvalJob"));
        }
        if (CrdSchemas.CRD_OF_KIND.get(kind) == null) {
            return List.of(
                    new SpecProblem(
                            document.lineOf("kind"),
                            "kind",
                            "\""
                                    + kind
                                    + "\" is not a kubetune job: use kind: FineTuneJob or kind:"
                                    + " EvalJob"));
        }
        if (!API_VERSION.equals(root.path("apiVersion").asText())) {
            return List.of(
                    new SpecProblem(
                            document.lineOf("apiVersion"),
                            "apiVersion",
                            "\""
                                    + root.path("apiVersion").asText()
                                    + "\" is not served: use apiVersion: "
                                    + API_VERSION));
        }
        if (root.path("metadata").path("name").asText("").isBlank()) {
            return List.of(
                    new SpecProblem(
                            document.lineOf("metadata.name"),
                            "metadata.name",
                            "Required value: give the job a name (lower case letters, digits"
                                    + " and '-')"));
        }
        return List.of();
    }

    private static String read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserInputException(
                    file
                            + " is not a file: pass a FineTuneJob or EvalJob YAML, e.g."
                            + " examples/local/finetunejob.yaml");
        }
        try {
            return Files.readString(file);
        } catch (MalformedInputException e) {
            throw new UserInputException(file + " is not UTF-8 text: save the YAML as UTF-8", e);
        } catch (IOException e) {
            throw new UserInputException(file + " cannot be read (" + e + "): check it", e);
        }
    }
}
