package io.kubetune.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.api.v1alpha1.TrainerContract;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The images cannot be built here (no Docker), so this checks that the Dockerfiles agree with what
 * the build produces and what the operator and the chart expect: the shaded jar's name, the
 * entrypoint the operator's trainer command is appended to, the cache volume, the non-root user.
 */
class DockerfilesTest {
    private static final String JAR = "/app/kubetune-trainer.jar";

    @ParameterizedTest
    @ValueSource(strings = {"trainer-image/Dockerfile", "trainer-image/Dockerfile.cuda"})
    void trainerImageRunsTheShadedJarAsNonRootWithTheCacheOnTheVolume(String file)
            throws IOException {
        String dockerfile = read(file);
        Map<String, String> env = env(dockerfile);

        // the jar the shade plugin writes is the one copied into the image
        String pom = read("trainer-image/pom.xml");
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(finalName.find()).isTrue();
        assertThat(dockerfile)
                .contains(
                        "COPY --from=build /src/trainer-image/target/"
                                + finalName.group(1)
                                + ".jar "
                                + JAR);
        // the operator passes `train <job file>` as arguments to this entrypoint
        assertThat(lastInstruction(dockerfile, "ENTRYPOINT"))
                .isEqualTo("[\"java\", \"-jar\", \"" + JAR + "\"]");
        assertThat(lastInstruction(dockerfile, "USER")).isEqualTo("10001:10001");

        assertThat(env).containsEntry(TrainerContract.CACHE_DIR_ENV, TrainerContract.CACHE_DIR);
        assertThat(env.get("DJL_CACHE_DIR")).startsWith(TrainerContract.CACHE_DIR + "/");
        // libtorch is baked into ENGINE_CACHE_DIR at build time: under the cache volume's mount
        // point it would be hidden by the volume and downloaded again (and fail offline)
        assertThat(env.get("ENGINE_CACHE_DIR")).doesNotStartWith(TrainerContract.CACHE_DIR);
        assertThat(env.get("JAVA_TOOL_OPTIONS")).contains("-Dai.djl.offline=true");
        assertThat(dockerfile).contains("./mvnw -B -q -pl trainer-image -am package -DskipTests");
    }

    @ParameterizedTest
    @ValueSource(strings = {"trainer-image/Dockerfile.cuda"})
    void cudaImagePointsDjlAtTheCudaLibtorch(String file) throws IOException {
        Map<String, String> env = env(read(file));

        assertThat(env)
                .containsEntry("PYTORCH_LIBRARY_PATH", "/opt/libtorch/lib")
                .containsEntry("PYTORCH_FLAVOR", "cu128");
        // the libtorch the DJL 0.36 engine was built against (pom: pytorch.version)
        String version = matchOne(read("pom.xml"), "<pytorch.version>([^<]+)</pytorch.version>");
        assertThat(env).containsEntry("PYTORCH_VERSION", version);
        assertThat(read(file)).contains("libtorch-cxx11-abi-shared-with-deps-" + version);
    }

    @ParameterizedTest
    @ValueSource(strings = {"operator/Dockerfile"})
    void operatorImageRunsTheQuarkusAppAsTheUserTheChartExpects(String file) throws IOException {
        String dockerfile = read(file);
        JsonNode values =
                CrdSchema.readYaml(RepoFiles.root().resolve("charts/kubetune/values.yaml"));

        assertThat(dockerfile).contains("COPY --from=build /src/operator/target/quarkus-app/");
        assertThat(lastInstruction(dockerfile, "ENTRYPOINT"))
                .isEqualTo("[\"java\", \"-jar\", \"/deployments/quarkus-run.jar\"]");
        String uid = values.at("/podSecurityContext/runAsUser").asText();
        assertThat(lastInstruction(dockerfile, "USER")).isEqualTo(uid + ":" + uid);
        assertThat(lastInstruction(dockerfile, "EXPOSE")).isEqualTo("8080");
    }

    private static String read(String file) throws IOException {
        return Files.readString(RepoFiles.root().resolve(file));
    }

    /** The argument of the last instruction of that name (the one that counts). */
    private static String lastInstruction(String dockerfile, String name) {
        List<String> found =
                dockerfile
                        .lines()
                        .filter(l -> l.startsWith(name + " "))
                        .map(l -> l.substring(name.length() + 1).trim())
                        .toList();
        assertThat(found).as(name).isNotEmpty();
        return found.get(found.size() - 1);
    }

    /** KEY=value pairs of every ENV instruction (continuation lines joined). */
    private static Map<String, String> env(String dockerfile) {
        String joined = dockerfile.replace("\\\n", " ");
        Map<String, String> env = new LinkedHashMap<>();
        Pattern pair = Pattern.compile("([A-Z_]+)=(\"[^\"]*\"|\\S+)");
        joined.lines()
                .filter(l -> l.startsWith("ENV "))
                .forEach(
                        l -> {
                            Matcher m = pair.matcher(l.substring(4));
                            while (m.find()) {
                                env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
                            }
                        });
        return env;
    }

    private static String matchOne(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex).isTrue();
        return m.group(1);
    }
}
