package io.kubetune.trainer.train;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The settings that shape a run's weights (stage, model, data, method, training), flattened to
 * {@code field -> value} with a hash of them, and the FineTuneJob that trains it. Each checkpoint
 * stores them, so a run resumed with a changed spec is refused with the changed fields named
 * instead of mixing two runs, and a re-created job does not take over an older one's checkpoints.
 *
 * @param jobUid the FineTuneJob's uid in a pod ({@code KUBETUNE_JOB_UID}); null for a local run.
 *     Not part of the hash: it says who wrote a checkpoint, not what was trained.
 */
public record RunSettings(Map<String, String> values, String jobUid) {
    static final String FILE = "run_settings.json";

    /** Parts of the spec that decide what is trained; output, checkpoints and logging do not. */
    private static final List<String> SHAPING =
            List.of("stage", "model", "datasets", "validation", "chatFormat", "method", "training");

    /**
     * Fields that may change between attempts without mixing two runs: how often to log and
     * evaluate, and the precision (a rescheduled pod may land on another kind of GPU).
     */
    private static final Set<String> IGNORED =
            Set.of(
                    "training.loggingSteps",
                    "training.evalSteps",
                    "training.precision",
                    "model.secretRef.name");

    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    public RunSettings {
        values = new TreeMap<>(values);
    }

    /** Settings of a local run (no job uid). */
    public RunSettings(Map<String, String> values) {
        this(values, null);
    }

    /** These settings, trained by the FineTuneJob of this uid (null: a local run). */
    public RunSettings forJob(String uid) {
        return new RunSettings(values, uid);
    }

    @SuppressWarnings("unchecked")
    static RunSettings of(FineTuneJobSpec spec) {
        Map<String, Object> all = JSON.convertValue(spec, Map.class);
        Map<String, String> flat = new TreeMap<>();
        for (String key : SHAPING) {
            flatten(key, all.get(key), flat);
        }
        IGNORED.forEach(flat::remove);
        return new RunSettings(flat);
    }

    private static void flatten(String path, Object value, Map<String, String> out) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(path + "." + k, v, out));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(path + "[" + i + "]", list.get(i), out);
            }
        } else if (value != null) {
            out.put(path, value.toString());
        }
    }

    /** SHA-256 of the sorted {@code field=value} lines. */
    public String hash() {
        StringBuilder lines = new StringBuilder();
        values.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(lines.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fields that differ, as {@code field: old -> new} ({@code unset} where absent). */
    public List<String> changesTo(RunSettings now) {
        List<String> changes = new ArrayList<>();
        Set<String> fields = new TreeSet<>(values.keySet());
        fields.addAll(now.values.keySet());
        for (String field : fields) {
            String was = values.getOrDefault(field, "unset");
            String is = now.values.getOrDefault(field, "unset");
            if (!was.equals(is)) {
                changes.add(field + ": " + was + " -> " + is);
            }
        }
        return changes;
    }
}
