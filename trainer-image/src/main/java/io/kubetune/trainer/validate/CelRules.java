package io.kubetune.trainer.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The CRD's {@code x-kubernetes-validations} rules, evaluated with Google's CEL for Java on the
 * value each rule is attached to ({@code self}), as the API server evaluates them on create:
 * transition rules (those that read {@code oldSelf}) do not apply to a new object.
 */
final class CelRules {
    private static final Cel CEL =
            CelFactory.standardCelBuilder()
                    .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                    .addCompilerLibraries(CelExtensions.strings(), CelExtensions.lists())
                    .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.lists())
                    .addVar("self", SimpleType.DYN)
                    .build();

    private final Map<String, CelRuntime.Program> programs = new HashMap<>();
    private final JsonNode schema;
    private final Consumer<String> warnings;

    /**
     * @param schema the openAPIV3Schema
     * @param warnings told about a rule this library cannot check (the API server still will)
     */
    CelRules(JsonNode schema, Consumer<String> warnings) {
        this.schema = schema;
        this.warnings = warnings;
    }

    List<SpecProblem> check(YamlDocument file, JsonNode resource) {
        List<SpecProblem> problems = new ArrayList<>();
        SchemaWalk.walk(
                schema,
                resource,
                "",
                (node, value, path) -> {
                    for (JsonNode rule : node.path("x-kubernetes-validations")) {
                        checkRule(rule, value, path, file, problems);
                    }
                });
        return problems;
    }

    private void checkRule(
            JsonNode rule, JsonNode value, String path, YamlDocument file, List<SpecProblem> out) {
        String expression = rule.path("rule").asText();
        if (expression.contains("oldSelf")) {
            return;
        }
        CelRuntime.Program program = program(expression);
        if (program == null) {
            return;
        }
        String field = path + rule.path("fieldPath").asText("");
        if (path.isEmpty() && field.startsWith(".")) { // a rule of the root: ".spec.x" is spec.x
            field = field.substring(1);
        }
        Object result;
        try {
            result = program.eval(Map.of("self", toCel(value)));
        } catch (CelEvaluationException e) {
            out.add(new SpecProblem(file.lineOf(field), field, "rule " + expression + ": " + e));
            return;
        }
        if (!Boolean.TRUE.equals(result)) {
            String message = rule.path("message").asText("failed rule: " + expression);
            out.add(new SpecProblem(file.lineOf(field), field, message));
        }
    }

    private CelRuntime.Program program(String expression) {
        if (programs.containsKey(expression)) {
            return programs.get(expression);
        }
        CelRuntime.Program program = null;
        try {
            program = CEL.createProgram(CEL.compile(expression).getAst());
        } catch (CelValidationException | CelEvaluationException e) {
            warnings.accept(
                    "warning: the CRD rule `"
                            + expression
                            + "` is not checked here (the API server checks it): "
                            + e.getMessage().lines().findFirst().orElse(""));
        }
        programs.put(expression, program);
        return program;
    }

    /** JSON as CEL values: objects are maps, integers int (long), null fields absent. */
    static Object toCel(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields()
                    .forEachRemaining(
                            f -> {
                                if (!f.getValue().isNull()) {
                                    map.put(f.getKey(), toCel(f.getValue()));
                                }
                            });
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(toCel(item)));
            return list;
        }
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        return node.asText();
    }
}
