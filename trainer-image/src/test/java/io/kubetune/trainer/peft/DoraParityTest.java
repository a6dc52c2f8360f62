package io.kubetune.trainer.peft;

import static io.kubetune.trainer.peft.PeftReference.GPT2;
import static io.kubetune.trainer.peft.PeftReference.LLAMA;
import static io.kubetune.trainer.peft.PeftReference.PEFT;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our DoRA against PEFT 0.21.2's: its adapters, its initialisation, its training, its merge. */
class DoraParityTest {

    @Test
    void aDoraAdapterWrittenByPeftGivesPeftsLogitsMergedOrNotOnLlama() throws IOException {
        assertThat(adaptedAndMergedMatchPeft(LLAMA, PEFT.resolve("dora-peft-written")))
                .as("layers adapted: 2 x (q_proj, v_proj, down_proj)")
                .isEqualTo(6);
    }

    @Test
    void aDoraAdapterWrittenByPeftGivesPeftsLogitsMergedOrNotOnGpt2sFusedCAttn()
            throws IOException {
        assertThat(adaptedAndMergedMatchPeft(GPT2, PEFT.resolve("dora-peft-written-gpt2")))
                .as("layers adapted: 2 x (q, k, v of c_attn + c_fc)")
                .isEqualTo(8);
    }

    @Test
    void aDoraAdapterWeWroteLoadsInPeftWithOurLogitsMergedOrNot() throws IOException {
        assertThat(adaptedAndMergedMatchPeft(LLAMA, PEFT.resolve("dora-kubetune-written")))
                .isPositive();
    }

    /**
     * Also writes the trained adapter to target/dora-trained-adapter: {@code make_dora_fixtures.py
     * --only-kubetune-written} turns it into dora-kubetune-written.
     */
    @Test
    void fiveDoraStepsFollowPeftOnLlama() throws IOException {
        trainAndWrite(LLAMA, PEFT.resolve("dora-5-steps"), Path.of("target/dora-trained-adapter"));
    }

    @Test
    void fiveDoraStepsFollowPeftOnGpt2() throws IOException {
        trainAndWrite(GPT2, PEFT.resolve("dora-5-steps-gpt2"), null);
    }

    @Test
    void aFreshMagnitudeIsTheRowNormOfTheWeightAsPeftInitialisesIt(@TempDir Path out)
            throws IOException {
        for (Path base : List.of(LLAMA, GPT2)) {
            String fixture = base == GPT2 ? "dora-5-steps-gpt2" : "dora-5-steps";
            Path peftInitial = PEFT.resolve(fixture).resolve("initial-adapter");
            LoraSpec spec = PeftAdapterFormat.readSpec(peftInitial);
            spec.targetModules =
                    base == GPT2
                            ? List.of("c_attn", "c_fc")
                            : List.of("q_proj", "v_proj", "down_proj");
            try (PretrainedModel model = PretrainedModel.load(base, Device.cpu(), Precision.FP32)) {
                MethodSpec method = new MethodSpec();
                method.lora = spec;
                new LoraMethod()
                        .inject(model.block(), method, DataType.FLOAT32, model.manager())
                        .write(out, base.toString());
            }
            try (SafetensorsFile ours =
                            SafetensorsFile.open(out.resolve(PeftAdapterFormat.WEIGHTS));
                    SafetensorsFile peft =
                            SafetensorsFile.open(peftInitial.resolve(PeftAdapterFormat.WEIGHTS));
                    TensorLoader loader = new TensorLoader();
                    NDManager manager = NDManager.newBaseManager()) {
                List<String> magnitudes =
                        peft.names().stream()
                                .filter(n -> n.endsWith(".lora_magnitude_vector"))
                                .toList();
                assertThat(magnitudes).isNotEmpty();
                assertThat(ours.names()).containsAll(magnitudes);
                for (String name : magnitudes) {
                    NDArray a =
                            loader.load(
                                    ours.tensor(name),
                                    WeightLayout.AS_IS,
                                    manager,
                                    DataType.FLOAT32);
                    NDArray b =
                            loader.load(
                                    peft.tensor(name),
                                    WeightLayout.AS_IS,
                                    manager,
                                    DataType.FLOAT32);
                    assertThat(a.sub(b).abs().max().getFloat()).as(name).isLessThanOrEqualTo(1e-5f);
                }
            }
        }
    }

    /** Reads a DoRA adapter, checks adapted and merged logits against PEFT's; returns layers. */
    private static int adaptedAndMergedMatchPeft(Path base, Path dir) throws IOException {
        try (PretrainedModel model = PretrainedModel.load(base, Device.cpu(), Precision.FP32);
                NDManager scope = model.manager().newSubManager()) {
            List<LoraTarget> targets =
                    PeftAdapterFormat.read(dir, model.block(), DataType.FLOAT32, model.manager());
            assertThat(targets).allMatch(t -> t.magnitude() != null);
            NDArray input = PeftReference.prompt(dir, scope);
            PeftReference.assertMatches(
                    PeftReference.logits(model, input), dir, "logits", "with the adapter");
            LoraMerger.merge(targets);
            PeftReference.assertMatches(
                    PeftReference.logits(model, input), dir, "merged", "merged");
            return targets.size();
        }
    }

    /** 5 steps from PEFT's initial adapter; writes the trained adapter to {@code out} if given. */
    private static void trainAndWrite(Path base, Path dir, Path out) throws IOException {
        try (PretrainedModel model = PretrainedModel.load(base, Device.cpu(), Precision.FP32)) {
            Path initial = dir.resolve("initial-adapter");
            Adapters adapters =
                    new LoraMethod()
                            .read(initial, model.block(), DataType.FLOAT32, model.manager());
            assertThat(adapters.trainable().keySet())
                    .anyMatch(name -> name.endsWith(".lora_magnitude_vector"));
            PeftReference.followsLosses(model, adapters.trainable(), dir);
            if (out != null) {
                adapters.write(out, "fixtures/models/llama");
            }
        }
    }
}
