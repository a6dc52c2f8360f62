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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kubetune eval}: hellaswag as lm-evaluation-harness scores it, or perplexity. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Scores a model (and an optional PEFT adapter: LoRA, DoRA, prompt, prefix or P-tuning) on hellaswag 0-shot exactly as"
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

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "EVALJOB.yaml",
            description =
                    "An EvalJob resource (as the operator mounts it at /etc/kubetune/job.yaml):"
                            + " runs its tasks on its model and adapter instead of --model/--data.")
    Path jobFile;

    @Option(
            names = "--data",
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
        if (jobFile != null) {
            return new EvalJobRun(this, jobFile).call();
        }
        if (!task.equals("hellaswag") && !task.equals("perplexity")) {
            throw new IllegalArgumentException(
                    "--task " + task + " is not one of hellaswag, perplexity");
        }
        if (data == null) {
            throw new IllegalArgumentException(
                    "--data FILE is required (or pass an EvalJob YAML instead of the options)");
        }
        System.err.println("kubetune: " + models.target().describe());
        try (PretrainedModel loaded = models.load();
                HfTokenizer tokenizer = HfTokenizer.load(models.model)) {
            EvalResult result =
                    runTask(
                            loaded,
                            tokenizer,
                            task,
                            data,
                            DataFormat.valueOf(format.toUpperCase(Locale.ROOT)),
                            limit,
                            batchSize);
            if (task.equals("perplexity")) {
                System.out.println(new KubernetesSerialization().asJson(result));
            }
        }
        return 0;
    }

    /** Runs one task on a loaded model, writes its files to --output and returns its result. */
    EvalResult runTask(
            PretrainedModel loaded,
            HfTokenizer tokenizer,
            String taskName,
            Path taskData,
            DataFormat dataFormat,
            Integer itemLimit,
            int batch)
            throws IOException {
        if (taskName.equals("perplexity")) {
            DatasetSpec dataset = new DatasetSpec();
            dataset.uri = taskData.toString();
            dataset.format = dataFormat;
            dataset.template = PromptTemplate.valueOf(template.toUpperCase(Locale.ROOT));
            EvalResult result =
                    PerplexityEvaluation.run(
                            loaded, tokenizer, dataset, taskData, itemLimit, batch, cutoffLength);
            result.model = models.model.toString();
            result.adapter = models.adapterName();
            Files.createDirectories(output);
            Files.writeString(
                    output.resolve("perplexity.json"),
                    new KubernetesSerialization().asJson(result));
            return result;
        }
        HellaswagReport report =
                new HellaswagEvaluation(
                                TokenEncoders.of(tokenizer),
                                new PretrainedModelLogLikelihood(loaded),
                                batch)
                        .run(taskData, itemLimit, models.model.toString(), models.adapterName());
        report.writeTo(output);
        System.out.println(report.summaryJson());
        return report.result().toEvalResult();
    }
}
