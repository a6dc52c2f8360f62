package io.kubetune.trainer.cli;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.EvalResult;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.trainer.eval.PretrainedModelLogLikelihood;
import io.kubetune.trainer.eval.TokenEncoders;
import io.kubetune.trainer.eval.hellaswag.HellaswagEvaluation;
import io.kubetune.trainer.eval.hellaswag.HellaswagReport;
import io.kubetune.trainer.eval.perplexity.PerplexityEvaluation;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kubetune eval}: hellaswag as lm-evaluation-harness scores it, or perplexity. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Scores a model (and an optional PEFT LoRA adapter) on hellaswag 0-shot exactly as"
                    + " lm-evaluation-harness does: acc, acc_norm and their standard errors.",
            "Data: a hellaswag_val.jsonl file or the Rowan/hellaswag validation Parquet file."
        })
public final class EvalCommand implements Callable<Integer> {
    @Mixin ModelOptions models;

    @Option(
            names = "--task",
            defaultValue = "hellaswag",
            description = "hellaswag or perplexity (default ${DEFAULT-VALUE}).")
    String task;

    @Option(
            names = "--format",
            defaultValue = "text",
            description =
                    "perplexity data format: text, alpaca, dolly, sharegpt, messages (default ${DEFAULT-VALUE}).")
    String format;

    @Option(
            names = "--template",
            defaultValue = "model",
            description =
                    "perplexity prompt template for instruction data (default ${DEFAULT-VALUE}).")
    String template;

    @Option(
            names = "--cutoff-length",
            defaultValue = "1024",
            description = "perplexity: tokens per sample (default ${DEFAULT-VALUE}).")
    int cutoffLength;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "FILE",
            description = "hellaswag_val.jsonl or a Rowan/hellaswag .parquet file.")
    Path data;

    @Option(names = "--limit", description = "Score only the first N items.")
    Integer limit;

    @Option(
            names = "--batch-size",
            defaultValue = "8",
            description = "Items scored together (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--output",
            defaultValue = "eval-results",
            paramLabel = "DIR",
            description =
                    "Where hellaswag.json and per-item results go (default ${DEFAULT-VALUE}).")
    Path output;

    @Override
    public Integer call() throws Exception {
        if (!task.equals("hellaswag") && !task.equals("perplexity")) {
            throw new IllegalArgumentException(
                    "--task " + task + " is not one of hellaswag, perplexity");
        }
        try (PretrainedModel loaded = models.load();
                HfTokenizer tokenizer = HfTokenizer.load(models.model)) {
            if (task.equals("perplexity")) {
                DatasetSpec dataset = new DatasetSpec();
                dataset.uri = data.toString();
                dataset.format = DataFormat.valueOf(format.toUpperCase(Locale.ROOT));
                dataset.template = PromptTemplate.valueOf(template.toUpperCase(Locale.ROOT));
                EvalResult result =
                        PerplexityEvaluation.run(
                                loaded, tokenizer, dataset, data, limit, batchSize, cutoffLength);
                result.model = models.model.toString();
                result.adapter = models.adapterName();
                String json = new KubernetesSerialization().asJson(result);
                Files.createDirectories(output);
                Files.writeString(output.resolve("perplexity.json"), json);
                System.out.println(json);
                return 0;
            }
            HellaswagReport report =
                    new HellaswagEvaluation(
                                    TokenEncoders.of(tokenizer),
                                    new PretrainedModelLogLikelihood(loaded),
                                    batchSize)
                            .run(data, limit, models.model.toString(), models.adapterName());
            report.writeTo(output);
            System.out.println(report.summaryJson());
        }
        return 0;
    }
}
