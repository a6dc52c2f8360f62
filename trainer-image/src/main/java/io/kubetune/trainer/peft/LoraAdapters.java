package io.kubetune.trainer.peft;

import ai.djl.nn.Parameter;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.trainer.model.layers.LinearAdapter;
import io.kubetune.trainer.model.layers.LinearLayer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** LoRA adapters on a model's linear layers. */
public final class LoraAdapters implements Adapters {
    private final List<LoraTarget> targets;
    private final LoraSpec spec;
    private final boolean fanInFanOut;

    /**
     * @param spec the settings written to {@code adapter_config.json}
     * @param fanInFanOut whether the base stores weights {@code [in, out]} (GPT-2's Conv1D)
     */
    public LoraAdapters(List<LoraTarget> targets, LoraSpec spec, boolean fanInFanOut) {
        this.targets = List.copyOf(targets);
        this.spec = spec;
        this.fanInFanOut = fanInFanOut;
    }

    public List<LoraTarget> targets() {
        return targets;
    }

    @Override
    public Map<String, Parameter> trainable() {
        Map<String, Parameter> named = new LinkedHashMap<>();
        for (LoraTarget t : targets) {
            named.put("base_model.model." + t.modulePath() + ".lora_A.weight", t.adapter().a());
            named.put("base_model.model." + t.modulePath() + ".lora_B.weight", t.adapter().b());
            if (t.magnitude() != null) {
                named.put(
                        "base_model.model." + t.modulePath() + ".lora_magnitude_vector",
                        t.magnitude());
            }
        }
        return named;
    }

    @Override
    public Disabled disabled() {
        // What each layer holds now, so a nested scope restores the state it found.
        List<LinearLayer> layers = new ArrayList<>();
        List<LinearAdapter> attached = new ArrayList<>();
        for (LoraTarget t : targets) {
            layers.add(t.layer());
            attached.add(t.layer().adapter());
            t.layer().attach(null);
        }
        return () -> {
            for (int i = 0; i < layers.size(); i++) {
                layers.get(i).attach(attached.get(i));
            }
        };
    }

    @Override
    public void merge() {
        LoraMerger.merge(targets);
    }

    @Override
    public void write(Path dir, String baseModel) throws IOException {
        PeftAdapterFormat.write(dir, targets, spec, baseModel, fanInFanOut);
    }
}
