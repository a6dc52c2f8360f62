package io.kubetune.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.peft.PeftMethod;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hellaswag's scoring with a prompt-learning adapter: contexts shared through a copied KV cache
 * score as whole rows do, and a row's score is the continuation's log-probability in one whole pass
 * of the adapted model.
 */
class PromptLearningScoringTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({
        "prompt-tuning, llama",
        "prefix-tuning, llama",
        "prefix-tuning, gpt2",
        "p-tuning, gpt2"
    })
    void sharedAndWholeContextsScoreAsOneWholePass(String method, String model) throws IOException {
        Path adapter =
                FIXTURES.resolve(
                        "peft/prompt-learning/"
                                + method
                                + "-peft-written"
                                + (model.equals("gpt2") ? "-gpt2" : ""));
        List<ScoringGroup> groups =
                List.of(
                        new ScoringGroup(
                                new int[] {5, 17, 300, 42},
                                List.of(
                                        new int[] {101, 7},
                                        new int[] {248, 99, 3},
                                        new int[] {64})),
                        new ScoringGroup(
                                new int[] {9, 8, 7, 6, 5, 4},
                                List.of(new int[] {11}, new int[] {12, 13})));
        try (PretrainedModel loaded =
                        PretrainedModel.load(
                                FIXTURES.resolve("models/" + model), Device.cpu(), Precision.FP32);
                NDManager scope = loaded.manager().newSubManager()) {
            PeftMethod.readAny(adapter, loaded.block(), DataType.FLOAT32, loaded.manager());
            List<List<ContinuationScore>> shared =
                    new PretrainedModelLogLikelihood(loaded, 64, true).score(groups);
            List<List<ContinuationScore>> whole =
                    new PretrainedModelLogLikelihood(loaded, 64, false).score(groups);
            for (int g = 0; g < groups.size(); g++) {
                ScoringGroup group = groups.get(g);
                for (int c = 0; c < group.continuations().size(); c++) {
                    double direct =
                            direct(loaded, scope, group.context(), group.continuations().get(c));
                    assertThat(shared.get(g).get(c).logLikelihood())
                            .as("shared context, group %d row %d", g, c)
                            .isCloseTo(direct, within(1e-4));
                    assertThat(whole.get(g).get(c).logLikelihood())
                            .as("whole rows, group %d row %d", g, c)
                            .isCloseTo(direct, within(1e-4));
                }
            }
        }
    }

    // The continuation's summed log-probability in one pass over context + continuation.
    private static double direct(
            PretrainedModel model, NDManager scope, int[] context, int[] continuation) {
        long[] ids = new long[context.length + continuation.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i < context.length ? context[i] : continuation[i - context.length];
        }
        NDArray logits =
                model.block()
                        .logits(
                                model.parameterStore(),
                                ModelInput.of(scope.create(ids).expandDims(0)),
                                false)
                        .squeeze(0)
                        .logSoftmax(1);
        double sum = 0;
        for (int j = 0; j < continuation.length; j++) {
            sum += logits.getFloat(context.length + j - 1, continuation[j]);
        }
        return sum;
    }
}
