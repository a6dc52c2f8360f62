package io.kubetune.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** PythonStrings against CPython's own results, recorded in hellaswag_reference.json. */
class PythonStringsTest {

    static Stream<JsonObject> strings() {
        return StreamSupport.stream(
                        Fixtures.reference()
                                .getAsJsonObject("python")
                                .getAsJsonArray("strings")
                                .spliterator(),
                        false)
                .map(JsonElement::getAsJsonObject);
    }

    static Stream<JsonObject> argmax() {
        return StreamSupport.stream(
                        Fixtures.reference()
                                .getAsJsonObject("python")
                                .getAsJsonArray("argmax")
                                .spliterator(),
                        false)
                .map(JsonElement::getAsJsonObject);
    }

    @ParameterizedTest
    @MethodSource("strings")
    void matchesCpython(JsonObject c) {
        String s = c.get("s").getAsString();
        assertThat(PythonStrings.strip(s)).as("strip").isEqualTo(c.get("strip").getAsString());
        assertThat(PythonStrings.rstrip(s)).as("rstrip").isEqualTo(c.get("rstrip").getAsString());
        assertThat(PythonStrings.capitalize(s))
                .as("capitalize")
                .isEqualTo(c.get("capitalize").getAsString());
        assertThat(PythonStrings.lower(s)).as("lower").isEqualTo(c.get("lower").getAsString());
        assertThat(PythonStrings.length(s)).as("len").isEqualTo(c.get("len").getAsInt());
    }

    @ParameterizedTest
    @MethodSource("argmax")
    void argmaxMatchesNumpy(JsonObject c) {
        double[] values =
                StreamSupport.stream(c.getAsJsonArray("values").spliterator(), false)
                        .mapToDouble(Fixtures::number)
                        .toArray();
        assertThat(Argmax.of(values)).isEqualTo(c.get("argmax").getAsInt());
    }
}
