package io.kubetune.trainer.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Fills in the schema's defaults as the API server does before it validates: a missing field of an
 * object that is present gets its {@code default}, and a defaulted object has its own defaults
 * filled in. Rules such as {@code self.type == 'lora'} then see what the server sees.
 */
final class SchemaDefaults {
    private SchemaDefaults() {}

    static void apply(JsonNode schema, JsonNode document) {
        SchemaWalk.walk(schema, document, "", SchemaDefaults::fill);
    }

    private static void fill(JsonNode schema, JsonNode value, String path) {
        if (!value.isObject()) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> property = properties.next();
            JsonNode fallback = property.getValue().get("default");
            if (fallback != null && !value.has(property.getKey())) {
                // The walk then visits the new field too, filling a defaulted object's fields.
                ((ObjectNode) value).set(property.getKey(), fallback.deepCopy());
            }
        }
    }
}
