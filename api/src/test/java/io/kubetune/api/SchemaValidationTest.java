package io.kubetune.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Wrong specs are rejected by the CRD's OpenAPI schema with the field named. The CEL cases of
 * {@link BadSpec#all()} run against the real API server in {@code BadSpecsRejectedIT}.
 */
class SchemaValidationTest {
    private static final Pattern REQUIRED =
            Pattern.compile("^\\$\\.(\\S+): required property '(\\w+)'");
    private static final Pattern AT_PATH = Pattern.compile("^\\$\\.([^:]+):");

    static Stream<BadSpec> schemaCases() {
        return BadSpec.all().stream().filter(c -> !c.cel());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemaCases")
    void rejectedWithTheFieldNamed(BadSpec bad) {
        JsonNode valid =
                CrdSchema.readYaml(
                        RepoFiles.example(
                                bad.plural().equals("evaljobs")
                                        ? "evaljob.yaml"
                                        : "finetunejob.yaml"));
        List<String> errors = CrdSchema.of(bad.plural()).errors(bad.applyTo(valid));

        assertThat(errors).as("errors for: %s", bad).isNotEmpty();
        assertThat(errors)
                .as("an error names %s and says %s", bad.field(), bad.message())
                .anySatisfy(
                        e -> {
                            assertThat(fieldOf(e)).isEqualTo(bad.field());
                            assertThat(e).containsIgnoringCase(bad.message());
                        });
    }

    /** "$.spec: required property 'model' not found" names spec.model. */
    private static String fieldOf(String error) {
        Matcher required = REQUIRED.matcher(error);
        if (required.find()) {
            return required.group(1) + "." + required.group(2);
        }
        Matcher at = AT_PATH.matcher(error);
        return at.find() ? at.group(1) : error;
    }
}
