package io.kubetune.trainer.eval.perplexity;

import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.EvalResult;
import io.kubetune.trainer.batch.SampleTokenizer;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.data.DatasetLoader;
import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.HeldOutLoss;
import io.kubetune.trainer.train.TrainingPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Perplexity of a model on a dataset: exp of the mean next-token loss over the tokens a training
 * run would learn (every token of text, the answers of instructions), in the EvalJob result shape.
 */
public final class PerplexityEvaluation {
    private PerplexityEvaluation() {}

    public static EvalResult run(
            PretrainedModel model,
            HfTokenizer tokenizer,
            DatasetSpec dataset,
            Path file,
            Integer limit,
            int batchSize,
            int cutoffLength)
            throws IOException {
        long started = System.nanoTime();
        ChatTemplates.Choice template =
                ChatTemplates.choose(dataset.template, tokenizer.specialTokens());
        // No end-of-sequence token is appended: the text is scored as it is written.
        SampleTokenizer sampleTokenizer =
                new SampleTokenizer(
                        tokenizer,
                        template.template(),
                        template.writesSpecialTokens(),
                        false,
                        cutoffLength,
                        -1);
        List<TokenizedSample> samples = new ArrayList<>();
        for (Sample sample : DatasetLoader.load(dataset, file).samples()) {
            if (limit != null && samples.size() >= limit) {
                break;
            }
            TokenizedSample tokens = sampleTokenizer.tokenize(sample);
            if (tokens.length() > 1 && tokens.hasTrainableTokens()) {
                samples.add(tokens);
            }
        }
        int padId = tokenizer.specialTokens().paddingId();
        HeldOutLoss.Total total =
                HeldOutLoss.of(model, TrainingPlan.evaluationBatches(samples, batchSize, padId));
        EvalResult result = new EvalResult();
        result.task = "perplexity";
        result.perplexity = Math.exp(total.mean());
        result.n = samples.size();
        result.durationSeconds = (System.nanoTime() - started) / 1e9;
        return result;
    }
}
