package io.kubetune.trainer.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Visits every value of a document together with the part of an OpenAPI v3 schema that describes it
 * (object properties, array items, map values), depth first, parents before children.
 */
final class SchemaWalk {
    /** What is done at each value. */
    interface Visitor {
        void visit(JsonNode schema, JsonNode value, String path);
    }

    private SchemaWalk() {}

    static void walk(JsonNode schema, JsonNode value, String path, Visitor visitor) {
        if (schema == null || schema.isMissingNode() || value == null || value.isNull()) {
            return;
        }
        visitor.visit(schema, value, path);
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.path("additionalProperties");
            Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode child =
                        properties.has(field.getKey())
                                ? properties.get(field.getKey())
                                : additional.isObject() ? additional : null;
                walk(child, field.getValue(), join(path, field.getKey()), visitor);
            }
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                walk(schema.path("items"), value.get(i), path + "[" + i + "]", visitor);
            }
        }
    }

    static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
