package io.kubetune.trainer.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The openAPIV3Schema of the committed CRDs (crds/*.yml), which the build copies into the jar: the
 * rules the API server enforces, read from the same files it is given.
 */
final class CrdSchemas {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The kinds a job file may have, with the CRD file of each. */
    static final Map<String, String> CRD_OF_KIND =
            Map.of(
                    "FineTuneJob", "finetunejobs.kubetune.io-v1.yml",
                    "EvalJob", "evaljobs.kubetune.io-v1.yml");

    private CrdSchemas() {}

    /** The schema of a kind's served version, or null for a kind that is not ours. */
    static JsonNode of(String kind) {
        String file = CRD_OF_KIND.get(kind);
        if (file == null) {
            return null;
        }
        try (InputStream in = CrdSchemas.class.getResourceAsStream("/kubetune/crds/" + file)) {
            if (in == null) {
                throw new IllegalStateException(
                        "kubetune/crds/" + file + " is missing from the trainer jar: rebuild it");
            }
            return YAML.readTree(in).at("/spec/versions/0/schema/openAPIV3Schema");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
