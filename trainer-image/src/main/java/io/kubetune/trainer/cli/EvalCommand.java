package io.kubetune.trainer.cli;

import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.eval.PretrainedModelLogLikelihood;
import io.kubetune.trainer.eval.TokenEncoders;
import io.kubetune.trainer.eval.hellaswag.HellaswagEvaluation;
import io.kubetune.trainer.eval.hellaswag.HellaswagReport;
import io.kubetune.trainer.model.Devices;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.peft.PeftAdapterFormat;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kubetune eval}: hellaswag, scored exactly as lm-evaluation-harness scores it. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Scores a model (and an optional PEFT LoRA adapter) on hellaswag 0-shot exactly as"
                    + " lm-evaluation-harness does: acc, acc_norm and their standard errors.",
            "Data: a hellaswag_val.jsonl file or the Rowan/hellaswag validation Parquet file."
        })
public final class EvalCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "The model folder.")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "A PEFT LoRA adapter folder.")
    Path adapter;

    @Option(
            names = "--task",
            defaultValue = "hellaswag",
            description = "hellaswag (default ${DEFAULT-VALUE}).")
    String task;

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

    @Option(
            names = "--device",
            defaultValue = "cpu",
            description = "cpu or cuda[:N] (default ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() throws Exception {
        if (!task.equals("hellaswag")) {
            throw new IllegalArgumentException(
                    "--task " + task + " is not supported yet; use hellaswag");
        }
        try (PretrainedModel loaded =
                        PretrainedModel.load(model, Devices.parse(device), Precision.FP32);
                HfTokenizer tokenizer = HfTokenizer.load(model)) {
            if (adapter != null) {
                PeftAdapterFormat.read(adapter, loaded.block(), DataType.FLOAT32, loaded.manager());
            }
            HellaswagReport report =
                    new HellaswagEvaluation(
                                    TokenEncoders.of(tokenizer),
                                    new PretrainedModelLogLikelihood(loaded),
                                    batchSize)
                            .run(
                                    data,
                                    limit,
                                    model.toString(),
                                    adapter == null ? null : adapter.toString());
            report.writeTo(output);
            System.out.println(report.summaryJson());
        }
        return 0;
    }
}
