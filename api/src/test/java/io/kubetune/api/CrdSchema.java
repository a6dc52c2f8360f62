package io.kubetune.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The openAPIV3Schema of a committed CRD, checked with a JSON Schema validator: what the API server
 * enforces with OpenAPI (types, enums, bounds, patterns, required). CEL rules need the real server
 * and are covered by the integration tests.
 */
final class CrdSchema {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final JsonSchema schema;

    private CrdSchema(JsonSchema schema) {
        this.schema = schema;
    }

    static CrdSchema of(String plural) {
        try {
            JsonNode crd = YAML.readTree(RepoFiles.crd(plural).toFile());
            JsonNode openApi = crd.at("/spec/versions/0/schema/openAPIV3Schema");
            return new CrdSchema(
                    JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<String> errors(JsonNode resource) {
        return schema.validate(resource).stream().map(ValidationMessage::getMessage).toList();
    }

    static JsonNode readYaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
