package io.kubetune.trainer.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The CRD's OpenAPI v3 rules (types, enums, bounds, patterns, required fields) through a JSON
 * Schema validator, plus the fields the schema does not know (kubectl refuses them by default):
 * what the API server checks before its CEL rules.
 */
final class OpenApiCheck {
    private static final int MAX_HINT = 160;

    /** Kubernetes' extensions of OpenAPI: checked elsewhere (CEL) or not about validity. */
    private static final List<String> KUBERNETES_KEYWORDS =
            List.of(
                    "x-kubernetes-validations",
                    "x-kubernetes-preserve-unknown-fields",
                    "x-kubernetes-int-or-string",
                    "x-kubernetes-embedded-resource",
                    "x-kubernetes-list-type",
                    "x-kubernetes-list-map-keys",
                    "x-kubernetes-map-type",
                    "nullable");

    private static final JsonSchemaFactory FACTORY = factory();

    /** Every resource has them; a CRD's schema does not list them. */
    private static final Set<String> IMPLICIT = Set.of("apiVersion", "kind", "metadata");

    private final JsonNode schema;
    private final JsonSchema validator;

    OpenApiCheck(JsonNode schema) {
        this.schema = schema;
        this.validator = FACTORY.getSchema(schema);
    }

    private static JsonSchemaFactory factory() {
        JsonMetaSchema v4 = JsonMetaSchema.getV4();
        JsonMetaSchema kubernetes =
                JsonMetaSchema.builder(v4.getIri(), v4)
                        .keywords(
                                KUBERNETES_KEYWORDS.stream()
                                        .map(NonValidationKeyword::new)
                                        .toList())
                        .build();
        return JsonSchemaFactory.builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4))
                .metaSchema(kubernetes)
                .build();
    }

    List<SpecProblem> check(YamlDocument file, JsonNode resource) {
        List<SpecProblem> problems = new ArrayList<>();
        for (ValidationMessage message : validator.validate(resource)) {
            String field = fieldOf(message);
            problems.add(
                    new SpecProblem(file.lineOf(field), field, withHint(field, text(message))));
        }
        SchemaWalk.walk(
                schema,
                resource,
                "",
                (node, value, path) -> unknownFields(file, node, value, path, problems));
        return problems;
    }

    /** "$.spec: required property 'model' not found" is about spec.model. */
    private static String fieldOf(ValidationMessage message) {
        String at = message.getInstanceLocation().toString().replaceFirst("^\\$\\.?", "");
        if ("required".equals(message.getType()) && message.getProperty() != null) {
            return SchemaWalk.join(at, message.getProperty());
        }
        return at.isEmpty() ? "(document)" : at;
    }

    /** The validator's words without its "$.path: " prefix. */
    private static String text(ValidationMessage message) {
        String text = message.getMessage().replaceFirst("^\\$\\S*: ", "");
        return "required".equals(message.getType()) ? "Required value: " + text : text;
    }

    private String withHint(String field, String text) {
        String description = schemaOf(field).path("description").asText("");
        if (description.isBlank()) {
            return text;
        }
        String hint = description.replaceAll("\\s+", " ").strip();
        if (hint.length() > MAX_HINT) {
            hint = hint.substring(0, MAX_HINT - 3) + "...";
        }
        return text + " (" + field.substring(field.lastIndexOf('.') + 1) + ": " + hint + ")";
    }

    /** The part of the schema that describes a field path such as spec.tasks[0].name. */
    private JsonNode schemaOf(String field) {
        JsonNode node = schema;
        for (String part : field.split("\\.")) {
            String name = part.replaceAll("\\[\\d+]", "");
            node = node.path("properties").path(name);
            for (int i = part.indexOf('['); i >= 0; i = part.indexOf('[', i + 1)) {
                node = node.path("items");
            }
        }
        return node;
    }

    private static void unknownFields(
            YamlDocument file,
            JsonNode schema,
            JsonNode value,
            String path,
            List<SpecProblem> problems) {
        if (!value.isObject()
                || !schema.has("properties")
                || schema.has("additionalProperties")
                || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            return;
        }
        Iterator<String> names = value.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!schema.path("properties").has(name)
                    && !(path.isEmpty() && IMPLICIT.contains(name))) {
                String field = SchemaWalk.join(path, name);
                problems.add(
                        new SpecProblem(
                                file.lineOf(field),
                                field,
                                "unknown field \""
                                        + name
                                        + "\": check its spelling and indentation; known here: "
                                        + String.join(", ", fieldNames(schema))));
            }
        }
    }

    private static List<String> fieldNames(JsonNode schema) {
        List<String> names = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }
}
