package io.kubetune.trainer.validate;

/**
 * One reason a job file would be refused: the YAML line it is on, the field (as the API server
 * names it, e.g. {@code spec.method.lora.r}) and what is wrong with the fix.
 *
 * @param line 1-based line in the job file, 0 when unknown
 * @param field the field path; {@code spec} for the whole spec
 * @param message what is wrong and how to fix it, one line
 */
public record SpecProblem(int line, String field, String message) {

    /** {@code job.yaml:12: spec.method.lora.r: should be greater than or equal to 1 ...}. */
    public String format(String file) {
        return file + (line > 0 ? ":" + line : "") + ": " + field + ": " + message;
    }
}
