package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.SafetensorsWriter;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * LoRA adapters in Hugging Face PEFT's format: {@code adapter_config.json} and {@code
 * adapter_model.safetensors} with tensors {@code base_model.model.<module>.lora_A.weight} {@code
 * [r, in]} and {@code ...lora_B.weight} {@code [out, r]}; DoRA adds {@code
 * ...lora_magnitude_vector} {@code [out]} and {@code use_dora: true}.
 */
public final class PeftAdapterFormat {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";
    // PEFT saves DoRA's magnitude under this suffix, without ".weight" (peft utils/save_and_load).
    private static final String MAGNITUDE = ".lora_magnitude_vector";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private PeftAdapterFormat() {}

    public static void write(
            Path dir,
            List<LoraTarget> targets,
            LoraSpec spec,
            String baseModel,
            boolean fanInFanOut)
            throws IOException {
        Files.createDirectories(dir);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (LoraTarget target : targets) {
            tensors.put(
                    PREFIX + target.modulePath() + ".lora_A.weight",
                    target.adapter().a().getArray());
            tensors.put(
                    PREFIX + target.modulePath() + ".lora_B.weight",
                    target.adapter().b().getArray());
            if (target.magnitude() != null) {
                tensors.put(
                        PREFIX + target.modulePath() + MAGNITUDE, target.magnitude().getArray());
            }
        }
        SafetensorsWriter.write(dir.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
        Files.writeString(
                dir.resolve(CONFIG),
                GSON.toJson(config(targets, spec, baseModel, fanInFanOut)),
                StandardCharsets.UTF_8);
    }

    private static JsonObject config(
            List<LoraTarget> targets, LoraSpec spec, String baseModel, boolean fanInFanOut) {
        JsonObject config = new JsonObject();
        config.addProperty("peft_type", "LORA");
        config.addProperty("task_type", "CAUSAL_LM");
        config.addProperty("base_model_name_or_path", baseModel);
        config.addProperty("r", spec.r);
        config.addProperty("lora_alpha", spec.alpha);
        config.addProperty("lora_dropout", Double.parseDouble(spec.dropout));
        JsonArray modules = new JsonArray();
        new TreeSet<>(targets.stream().map(LoraTarget::moduleName).toList()).forEach(modules::add);
        config.add("target_modules", modules);
        config.addProperty("bias", "none");
        config.addProperty("fan_in_fan_out", fanInFanOut);
        config.addProperty("use_rslora", Boolean.TRUE.equals(spec.rslora));
        config.addProperty("use_dora", Boolean.TRUE.equals(spec.dora));
        config.add("modules_to_save", null);
        config.add("rank_pattern", new JsonObject());
        config.add("alpha_pattern", new JsonObject());
        config.addProperty("init_lora_weights", true);
        config.addProperty("inference_mode", true);
        return config;
    }

    /**
     * Attaches an adapter written by PEFT (or by us) to the model's layers and freezes the rest.
     */
    public static List<LoraTarget> read(Path dir, DecoderLm model, DataType type, NDManager manager)
            throws IOException {
        JsonObject config = GSON.fromJson(Files.readString(dir.resolve(CONFIG)), JsonObject.class);
        if (!"LORA".equals(config.get("peft_type").getAsString())) {
            throw new IllegalArgumentException(
                    dir.resolve(CONFIG)
                            + ": peft_type "
                            + config.get("peft_type")
                            + " is not supported; only LORA adapters are");
        }
        boolean dora = config.has("use_dora") && config.get("use_dora").getAsBoolean();
        int rank = config.get("r").getAsInt();
        int alpha = config.get("lora_alpha").getAsInt();
        boolean rslora = config.has("use_rslora") && config.get("use_rslora").getAsBoolean();
        double scaling = LoraAdapter.scaling(alpha, rank, rslora);
        Map<String, LinearModules.Module> modules = LinearModules.of(model);
        List<LoraTarget> targets = new ArrayList<>();
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve(WEIGHTS));
                TensorLoader loader = new TensorLoader()) {
            for (String name : new TreeSet<>(file.names())) {
                if (!name.endsWith(".lora_A.weight")) {
                    continue;
                }
                String path = modulePath(name);
                LinearModules.Module module = modules.get(path);
                if (module == null) {
                    throw new IllegalArgumentException(
                            dir.resolve(WEIGHTS)
                                    + " adapts "
                                    + path
                                    + ", which this "
                                    + model.family()
                                    + " model does not have");
                }
                NDArray a = loader.load(file.tensor(name), WeightLayout.AS_IS, manager, type);
                NDArray b =
                        loader.load(
                                file.tensor(name.replace(".lora_A.", ".lora_B.")),
                                WeightLayout.AS_IS,
                                manager,
                                type);
                Parameter magnitude = null;
                if (dora) {
                    String key = PREFIX + path + MAGNITUDE;
                    if (!file.names().contains(key)) {
                        throw new IllegalArgumentException(
                                dir.resolve(WEIGHTS)
                                        + " lacks "
                                        + key
                                        + ", which use_dora: true in "
                                        + CONFIG
                                        + " needs; write the adapter again with DoRA or set"
                                        + " use_dora: false");
                    }
                    magnitude =
                            DoraAdapter.magnitude(
                                    loader.load(
                                            file.tensor(key), WeightLayout.AS_IS, manager, type),
                                    manager);
                }
                targets.addAll(
                        LinearModules.attach(module, LoraAdapter.of(a, b, scaling, 0f), magnitude));
            }
        }
        LoraInjector.freezeAllBut(model, targets);
        return targets;
    }

    /** The LoRA settings of a saved adapter, as its {@code adapter_config.json} gives them. */
    public static LoraSpec readSpec(Path dir) throws IOException {
        JsonObject config = GSON.fromJson(Files.readString(dir.resolve(CONFIG)), JsonObject.class);
        LoraSpec spec = new LoraSpec();
        spec.r = config.get("r").getAsInt();
        spec.alpha = config.get("lora_alpha").getAsInt();
        spec.dropout = config.has("lora_dropout") ? config.get("lora_dropout").getAsString() : "0";
        spec.rslora = config.has("use_rslora") && config.get("use_rslora").getAsBoolean();
        spec.dora = config.has("use_dora") && config.get("use_dora").getAsBoolean();
        return spec;
    }

    /**
     * base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight →
     * model.layers.0.self_attn.q_proj
     */
    private static String modulePath(String tensorName) {
        String path =
                tensorName.startsWith(PREFIX) ? tensorName.substring(PREFIX.length()) : tensorName;
        return path.substring(0, path.length() - ".lora_A.weight".length());
    }
}
