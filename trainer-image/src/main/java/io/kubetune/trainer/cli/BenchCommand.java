package io.kubetune.trainer.cli;

import io.kubetune.trainer.bench.BenchResult;
import io.kubetune.trainer.bench.Benchmark;
import io.kubetune.trainer.bench.GrpoUpdateBenchmark;
import io.kubetune.trainer.bench.HellaswagBenchmark;
import io.kubetune.trainer.bench.LoraStepBenchmark;
import io.kubetune.trainer.bench.ModelShape;
import io.kubetune.trainer.bench.StepReport;
import io.kubetune.trainer.model.Devices;
import io.kubetune.trainer.model.Precision;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kubetune bench}: forward and forward+backward speed and peak memory of a model size. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Build a random model of a family and size and print forward and"
                        + " forward+backward tokens/s, step time and peak memory.")
public final class BenchCommand implements Callable<Integer> {
    private static final int TOP_OPS = 15;

    @Option(
            names = "--task",
            description =
                    "time a real training step instead of bare passes: sft-lora (LoRA r 8 on"
                            + " every linear layer, the first half of every row masked as prompt)"
                            + " or dpo-lora (--batch pairs of such rows, sigmoid DPO, reference ="
                            + " adapters off) or grpo-update (one GRPO update on fixed completions:"
                            + " --prompts x --generations rows) or eval-hellaswag (score --items items of --data with"
                            + " the model in --model-dir, --batch items per pass)")
    String task;

    @Option(
            names = "--model-dir",
            description =
                    "with --task eval-hellaswag: a Hugging Face model directory (weights,"
                            + " config, tokenizer)")
    Path modelDir;

    @Option(
            names = "--data",
            description = "with --task eval-hellaswag: a hellaswag jsonl or Parquet file")
    Path data;

    @Option(
            names = "--items",
            description =
                    "with --task eval-hellaswag: items scored per iteration (default:"
                            + " ${DEFAULT-VALUE})")
    int items = 200;

    @Option(
            names = "--full-logits",
            description =
                    "with --task sft-lora: score every position through [tokens, vocab] logits"
                            + " (the path before labelled-only scoring), for comparison")
    boolean fullLogits;

    @Option(
            names = "--gradient-checkpointing",
            description = "with --task: rerun each layer's forward in the backward")
    boolean gradientCheckpointing;

    @Option(
            names = "--profile",
            description =
                    "with --task: after the timed steps, run one more (one batch for"
                            + " eval-hellaswag) under libtorch's profiler and print where its"
                            + " time went: the top ops by self time and the shares of op groups")
    boolean profile;

    @Option(
            names = "--prompts",
            description = "with --task grpo-update: prompts (default: ${DEFAULT-VALUE})")
    int prompts = 4;

    @Option(
            names = "--generations",
            description = "with --task grpo-update: answers per prompt (default: ${DEFAULT-VALUE})")
    int generations = 8;

    @Option(
            names = "--prompt-length",
            description = "with --task grpo-update: tokens per prompt (default: ${DEFAULT-VALUE})")
    int promptLength = 64;

    @Option(
            names = "--completion-length",
            description =
                    "with --task grpo-update: tokens of the longest answer; three rows in four"
                            + " are shorter (default: ${DEFAULT-VALUE})")
    int completionLength = 128;

    @Option(names = "--arch", description = "gpt2, llama or qwen2 (default: ${DEFAULT-VALUE})")
    String arch = "gpt2";

    @Option(
            names = "--preset",
            description =
                    "tiny, gpt2-small, llama-100m or qwen2.5-0.5b (default: gpt2-small for"
                            + " gpt2, llama-100m for llama, qwen2.5-0.5b for qwen2)")
    String preset;

    @Option(names = "--layers", description = "override the preset's layer count")
    Integer layers;

    @Option(names = "--hidden", description = "override the preset's width")
    Integer hidden;

    @Option(names = "--heads", description = "override the preset's attention heads")
    Integer heads;

    @Option(names = "--kv-heads", description = "override the preset's key/value heads (llama)")
    Integer kvHeads;

    @Option(names = "--intermediate", description = "override the preset's feed-forward width")
    Integer intermediate;

    @Option(names = "--vocab", description = "override the preset's vocabulary size")
    Integer vocab;

    @Option(names = "--batch", description = "sequences per step (default: ${DEFAULT-VALUE})")
    int batch = 8;

    @Option(names = "--seq", description = "tokens per sequence (default: ${DEFAULT-VALUE})")
    int seq = 128;

    @Option(names = "--precision", description = "fp32, fp16 or bf16 (default: ${DEFAULT-VALUE})")
    String precision = "fp32";

    @Option(names = "--device", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE})")
    String device = "cpu";

    @Option(names = "--threads", description = "libtorch intra-op threads (default: libtorch's)")
    Integer threads;

    @Option(names = "--warmup", description = "untimed iterations (default: ${DEFAULT-VALUE})")
    int warmup = 1;

    @Option(names = "--iterations", description = "timed iterations (default: ${DEFAULT-VALUE})")
    int iterations = 3;

    @Override
    public Integer call() {
        if (threads != null) {
            // Read by the engine when it starts, which is after this line.
            System.setProperty("ai.djl.pytorch.num_threads", threads.toString());
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        if (task != null) {
            return runTask();
        }
        Benchmark benchmark =
                new Benchmark(
                        shape(), batch, seq, Precision.parse(precision), Devices.parse(device));
        BenchResult result = benchmark.run(warmup, iterations);
        System.out.print(result.report());
        return 0;
    }

    private int runTask() {
        if (task.equals("eval-hellaswag")) {
            return runHellaswag();
        }
        if (task.equals("grpo-update")) {
            return runGrpoUpdate();
        }
        LoraStepBenchmark.Task kind = LoraStepBenchmark.Task.parse(task);
        if (kind == null) {
            System.err.println(
                    "kubetune bench: --task "
                            + task
                            + " is not one of sft-lora, dpo-lora, grpo-update, eval-hellaswag; drop --task to time bare passes");
            return 2;
        }
        ModelShape shape = shape();
        LoraStepBenchmark benchmark =
                new LoraStepBenchmark(
                        kind,
                        shape,
                        batch,
                        seq,
                        Precision.parse(precision),
                        Devices.parse(device),
                        fullLogits,
                        gradientCheckpointing);
        if (profile) {
            benchmark.profiling();
        }
        StepReport report = benchmark.run(warmup, iterations);
        System.out.print(report.report(benchmark.describe(), shape));
        benchmark.profile().ifPresent(p -> System.out.print(p.table(task + " step", TOP_OPS)));
        return 0;
    }

    private int runGrpoUpdate() {
        if (prompts < 1 || generations < 2 || promptLength < 1 || completionLength < 1) {
            System.err.println(
                    "kubetune bench: --task grpo-update needs --prompts >= 1, --generations >= 2,"
                            + " --prompt-length >= 1 and --completion-length >= 1; got "
                            + prompts
                            + ", "
                            + generations
                            + ", "
                            + promptLength
                            + ", "
                            + completionLength);
            return 2;
        }
        ModelShape shape = shape(promptLength + completionLength);
        GrpoUpdateBenchmark benchmark =
                new GrpoUpdateBenchmark(
                        shape,
                        prompts,
                        generations,
                        promptLength,
                        completionLength,
                        Precision.parse(precision),
                        Devices.parse(device));
        if (profile) {
            benchmark.profiling();
        }
        StepReport report = benchmark.run(warmup, iterations);
        System.out.print(report.report(benchmark.describe(), shape));
        benchmark.profile().ifPresent(p -> System.out.print(p.table("grpo update", TOP_OPS)));
        return 0;
    }

    private int runHellaswag() {
        if (modelDir == null || data == null) {
            System.err.println(
                    "kubetune bench: --task eval-hellaswag needs --model-dir (a Hugging Face model"
                            + " directory) and --data (a hellaswag jsonl file); got --model-dir "
                            + modelDir
                            + ", --data "
                            + data);
            return 2;
        }
        HellaswagBenchmark benchmark =
                new HellaswagBenchmark(
                        modelDir,
                        data,
                        items,
                        batch,
                        Precision.parse(precision),
                        Devices.parse(device));
        if (profile) {
            benchmark.profiling();
        }
        try {
            HellaswagBenchmark.Report report = benchmark.run(warmup, iterations);
            System.out.print(
                    report.report(System.getProperty("ai.djl.pytorch.num_threads", "default")));
            benchmark
                    .profile()
                    .ifPresent(
                            p ->
                                    System.out.print(
                                            p.table(
                                                    "eval-hellaswag batch of " + batch + " items",
                                                    TOP_OPS)));
        } catch (IOException e) {
            System.err.println(
                    "kubetune bench: cannot read " + data + " or " + modelDir + ": " + e);
            return 2;
        }
        return 0;
    }

    ModelShape shape() {
        return shape(seq);
    }

    private ModelShape shape(int longest) {
        String name = preset != null ? preset : ModelShape.defaultPreset(arch);
        ModelShape p = ModelShape.preset(arch, name);
        boolean gpt2 = p.arch().equals("gpt2");
        int h = heads != null ? heads : p.heads();
        // GPT-2 has no grouped-query attention: its key/value heads are its heads.
        int kv = gpt2 ? h : kvHeads != null ? kvHeads : heads != null ? h : p.kvHeads();
        return new ModelShape(
                p.arch(),
                layers != null ? layers : p.layers(),
                hidden != null ? hidden : p.hidden(),
                h,
                kv,
                intermediate != null ? intermediate : p.intermediate(),
                vocab != null ? vocab : p.vocab(),
                Math.max(p.positions(), longest));
    }
}
