package io.kubetune.trainer.validate;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubetune.trainer.UserInputException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A YAML job file as a JSON tree plus the line of every field, so an error can say where the user
 * has to look. Field paths are written as the API server writes them: {@code
 * spec.datasets[0].format}.
 */
public final class YamlDocument {
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final JsonNode root;
    private final Map<String, Integer> lines;

    private YamlDocument(JsonNode root, Map<String, Integer> lines) {
        this.root = root;
        this.lines = lines;
    }

    /**
     * Parses one YAML document.
     *
     * @throws UserInputException naming the line when the text is not YAML or is empty
     */
    public static YamlDocument parse(String text, String fileName) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new UserInputException(
                        fileName + " is empty: write a FineTuneJob or EvalJob resource in it");
            }
            JsonNode root = read(parser, "", lines, fileName);
            return new YamlDocument(root, lines);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new UserInputException(
                    fileName
                            + (at != null ? ":" + at.getLineNr() : "")
                            + ": not valid YAML ("
                            + e.getOriginalMessage().lines().findFirst().orElse("")
                            + "): check the indentation and quoting there");
        } catch (IOException e) {
            throw new UserInputException(fileName + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The document as a JSON tree. */
    public JsonNode root() {
        return root;
    }

    /**
     * The line of a field, else of the nearest enclosing field that is in the file (a missing field
     * is reported where its parent is).
     */
    public int lineOf(String field) {
        String path = field;
        while (!path.isEmpty()) {
            Integer line = lines.get(path);
            if (line != null) {
                return line;
            }
            path = parent(path);
        }
        return lines.getOrDefault("", 0);
    }

    private static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut < 0 ? "" : path.substring(0, cut);
    }

    private static JsonNode read(
            JsonParser parser, String path, Map<String, Integer> lines, String fileName)
            throws IOException {
        lines.putIfAbsent(path, parser.currentTokenLocation().getLineNr());
        return switch (parser.currentToken()) {
            case START_OBJECT -> readObject(parser, path, lines, fileName);
            case START_ARRAY -> readArray(parser, path, lines, fileName);
            case VALUE_STRING -> NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT ->
                    parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                            ? NODES.numberNode(parser.getBigIntegerValue())
                            : NODES.numberNode(parser.getLongValue());
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDoubleValue());
            case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(parser.getBooleanValue());
            default -> NODES.nullNode();
        };
    }

    private static ObjectNode readObject(
            JsonParser parser, String path, Map<String, Integer> lines, String fileName)
            throws IOException {
        ObjectNode object = NODES.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            String child = path.isEmpty() ? name : path + "." + name;
            int line = parser.currentTokenLocation().getLineNr();
            // YAML parsers keep the last of two equal keys; the API server refuses them, and a
            // silently dropped value would train with a setting the user did not mean.
            if (object.has(name)) {
                throw new UserInputException(
                        fileName
                                + ":"
                                + line
                                + ": "
                                + child
                                + " is set twice (first on line "
                                + lines.get(child)
                                + "): keep one of them");
            }
            lines.put(child, line);
            parser.nextToken();
            object.set(name, read(parser, child, lines, fileName));
        }
        return object;
    }

    private static ArrayNode readArray(
            JsonParser parser, String path, Map<String, Integer> lines, String fileName)
            throws IOException {
        ArrayNode array = NODES.arrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            array.add(read(parser, path + "[" + array.size() + "]", lines, fileName));
        }
        return array;
    }
}
