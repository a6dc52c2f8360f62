package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.trainer.model.DecoderLm;
import java.io.IOException;
import java.nio.file.Path;

/** LoRA as PEFT does it. */
public final class LoraMethod implements PeftMethod {
    @Override
    public Adapters inject(DecoderLm model, MethodSpec method, DataType type, NDManager manager) {
        // No lora: block means PEFT's (and the CRD's) defaults.
        LoraSpec spec = method.lora == null ? new LoraSpec() : method.lora;
        return new LoraAdapters(
                LoraInjector.inject(model, spec, type, manager), spec, fanInFanOut(model));
    }

    @Override
    public Adapters read(Path dir, DecoderLm model, DataType type, NDManager manager)
            throws IOException {
        LoraAdapters adapters =
                new LoraAdapters(
                        PeftAdapterFormat.read(dir, model, type, manager),
                        PeftAdapterFormat.readSpec(dir),
                        fanInFanOut(model));
        // A reward adapter (SEQ_CLS, modules_to_save: score) brings its head along.
        ScoreHeadAdapter.read(dir, model);
        return adapters;
    }

    /** GPT-2's Conv1D stores weights [in, out]; PEFT marks its adapters fan_in_fan_out. */
    private static boolean fanInFanOut(DecoderLm model) {
        return "gpt2".equals(model.family());
    }
}
