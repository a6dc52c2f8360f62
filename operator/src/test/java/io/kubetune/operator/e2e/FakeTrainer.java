package io.kubetune.operator.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.testing.TestEnvironment;
import io.kubetune.testing.TestPodRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A scripted stand-in for the trainer image, for the lifecycle tests: what it does is read from the
 * job's output URI {@code s3://kubetune-test/fake/<behaviour>/<name>} (the last such URI of the job
 * file: a model from another fake job comes before it):
 *
 * <p>It is registered as the image's entrypoint, which the pod runner (like the kubelet) takes as
 * it is: no {@code $(VAR)} expansion, so {@code $$} is the shell's PID.
 *
 * <ul>
 *   <li>{@code succeed}: writes a TrainerResult (adapterUri = the output URI + /adapter, and
 *       mergedModelUri = the output URI + /merged with spec.output.mergeModel), exits 0;
 *   <li>{@code sleep-N}: the first attempt of the job sleeps N seconds (exit 75 on SIGTERM, as the
 *       trainer does after its checkpoint; when a SIGKILL of the process group reaches the sleep
 *       first, the shell waits 5 s so that it dies by SIGKILL too), later attempts succeed at once;
 *   <li>{@code fail} (exit 1), {@code invalid} (exit 2), {@code resumable} (exit 75 every time);
 *   <li>{@code oom}: SIGKILLs itself, reported as OOMKilled for {@value #OOM_IMAGE};
 *   <li>{@code eval} (the command, any behaviour): sleeps 6 s, then succeeds;
 *   <li>with {@code --device cuda} (a pod that asked for GPUs), any behaviour: exits 3 as the
 *       trainer does when it sees no GPU (the test nodes have none).
 * </ul>
 */
final class FakeTrainer {
    static final String IMAGE = "kubetune/fake-trainer:1";
    static final String OOM_IMAGE = "kubetune/oom-trainer:1";

    private FakeTrainer() {}

    static String script(Path stateDir) {
        return """
                uri=$(grep -o 's3://kubetune-test/fake/[^ "]*' "$2" | tail -1)
                behaviour=$(echo "$uri" | cut -d/ -f5)
                name=$(echo "$uri" | cut -d/ -f6)
                msg="$KUBETUNE_TERMINATION_MESSAGE_PATH"
                echo "fake trainer: $1 $behaviour $name"
                if [ "$3" = --device ] && [ "$4" = cuda ]; then
                  echo '{"error":"--device cuda: the engine sees no GPU"}' > "$msg"
                  exit 3
                fi
                if [ "$1" = eval ]; then
                  sleep 6
                  echo '{"evalResults":[{"task":"hellaswag","acc":0.25,"accNorm":0.3,"n":10}]}' > "$msg"
                  exit 0
                fi
                case "$behaviour" in
                  fail) echo '{"error":"fake trainer: the dataset is empty"}' > "$msg"; exit 1;;
                  invalid) echo '{"error":"spec.training.batchSize: must be at least 1"}' > "$msg"; exit 2;;
                  resumable) exit 75;;
                  oom) kill -9 $$;;
                  sleep-*)
                    if [ ! -e "STATE/$name" ]; then
                      touch "STATE/$name"
                      trap 'exit 75' TERM
                      sleep "${behaviour#sleep-}" & wait $! || { sleep 5; exit 75; }
                    fi;;
                esac
                merged=""
                if grep -q 'mergeModel: true' "$2"; then merged=',"mergedModelUri":"'"$uri"'/merged"'; fi
                printf '{"steps":4,"finalLoss":1.25,"adapterUri":"%s/adapter"%s}' "$uri" "$merged" > "$msg"
                exit 0
                """
                .replace("STATE", stateDir.toString());
    }

    /** A pod runner for the namespace that runs the fake images. */
    static TestPodRunner runner(KubernetesClient client, String namespace) {
        Path state;
        try {
            state =
                    Files.createDirectories(Path.of("target", "fake-trainer", namespace))
                            .toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> entry = List.of("sh", "-c", script(state), "fake-trainer");
        return TestPodRunner.builder(client, namespace)
                .nodes(TestEnvironment.get().fakeNodes())
                .imageEntrypoint("kubetune/fake-trainer*", entry)
                .imageEntrypoint("kubetune/oom-trainer*", entry)
                .oomKilledImage("kubetune/oom-trainer*")
                .imagePullErrorForUnknownImages(true)
                .start();
    }
}
