package io.kubetune.trainer.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * On this machine a model or data URI may be a path relative to the job file (the trainer resolves
 * it there); the CRD allows absolute paths only. The check treats a relative path as the absolute
 * path it becomes, and says which fields would need another URI on a cluster.
 */
final class LocalPaths {
    private LocalPaths() {}

    /** Rewrites relative {@code uri}/{@code dataUri} values; returns their field paths. */
    static List<String> makeAbsolute(JsonNode resource) {
        List<String> fields = new ArrayList<>();
        visit(resource, "", fields);
        return fields;
    }

    private static void visit(JsonNode node, String path, List<String> fields) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                visit(node.get(i), path + "[" + i + "]", fields);
            }
        }
        if (!node.isObject()) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> children = node.fields();
        while (children.hasNext()) {
            Map.Entry<String, JsonNode> child = children.next();
            String field = SchemaWalk.join(path, child.getKey());
            if (isUriField(child.getKey()) && isRelativePath(child.getValue())) {
                ((ObjectNode) node).put(child.getKey(), "/" + child.getValue().asText());
                fields.add(field);
            } else {
                visit(child.getValue(), field, fields);
            }
        }
    }

    private static boolean isUriField(String name) {
        return name.equals("uri") || name.equals("dataUri");
    }

    private static boolean isRelativePath(JsonNode value) {
        String text = value.asText("");
        return value.isTextual()
                && !text.isBlank()
                && !text.contains("://")
                && !text.startsWith("/");
    }
}
