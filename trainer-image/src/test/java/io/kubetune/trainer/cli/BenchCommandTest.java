package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.eval.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {

    @Test
    void benchPrintsSpeedAndMemoryForATinyLlama() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            status =
                    new CommandLine(new KubetuneCli())
                            .execute(
                                    "bench",
                                    "--arch",
                                    "llama",
                                    "--preset",
                                    "tiny",
                                    "--batch",
                                    "2",
                                    "--seq",
                                    "16",
                                    "--warmup",
                                    "0",
                                    "--iterations",
                                    "1");
        } finally {
            System.setOut(original);
        }
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(status).isZero();
        assertThat(report)
                .contains("llama: 2 layers, hidden 64, heads 4, kv heads 2")
                .contains("batch 2 x seq 16 = 32 tokens, fp32 on cpu()")
                .containsPattern("forward +[0-9.]+ s/step, [0-9]+ tokens/s")
                .containsPattern("forward\\+backward [0-9.]+ s/step, [0-9]+ tokens/s")
                .containsPattern("RSS [0-9]+ MiB \\(VmHWM\\), Java heap [0-9]+ MiB");
    }

    @Test
    void aLoraSftTaskReportsItsMedianStepAndTheShareOfTheMatmulRate() {
        String report =
                run(
                        "bench",
                        "--task",
                        "sft-lora",
                        "--arch",
                        "qwen2",
                        "--preset",
                        "tiny",
                        "--batch",
                        "2",
                        "--seq",
                        "16",
                        "--warmup",
                        "1",
                        "--iterations",
                        "3");
        assertThat(report)
                .contains("sft-lora: LoRA r 8 on all linear layers, 2 x 16 tokens")
                .contains("labelled positions only")
                .contains("qwen2: 2 layers, hidden 64")
                // 2 rows x 8 labelled, the first of each half unpredicted: 2 x 8 labels count.
                .containsPattern(
                        "median [0-9.]+ s of 3 \\([0-9. ]+\\), [0-9]+ tokens/s, 16 labelled")
                .containsPattern("GFLOP/s, [0-9]+% of this machine's matmul rate")
                .containsPattern("RSS [0-9]+ MiB");
    }

    @Test
    void aGrpoUpdateTaskTrainsOnFixedCompletionsAndCanPrintItsProfile() {
        String report =
                run(
                        "bench",
                        "--task",
                        "grpo-update",
                        "--arch",
                        "llama",
                        "--preset",
                        "tiny",
                        "--prompts",
                        "2",
                        "--generations",
                        "4",
                        "--prompt-length",
                        "8",
                        "--completion-length",
                        "8",
                        "--warmup",
                        "0",
                        "--iterations",
                        "1",
                        "--profile");
        assertThat(report)
                .contains("grpo-update: LoRA r 8 on all linear layers, 2 prompts x 4 generations")
                // Answers of 8, 7, 6 and 5 tokens in every four rows: 2 x 26 completion tokens.
                .containsPattern(
                        "median [0-9.]+ s of 1 \\([0-9. ]+\\), [0-9]+ tokens/s, 52 labelled")
                .contains("profile of one grpo update")
                .containsPattern("after backward: grad clip, AdamW, zero grads +[0-9.]+ +[0-9.]+%")
                .containsPattern("not in libtorch \\(Java, JNI, GC\\) +[0-9.]+ +[0-9.]+%");
    }

    @Test
    void aLoraDpoTaskRunsPairsAgainstTheAdapterFreeReference() {
        String report =
                run(
                        "bench",
                        "--task",
                        "dpo-lora",
                        "--arch",
                        "llama",
                        "--preset",
                        "tiny",
                        "--batch",
                        "2",
                        "--seq",
                        "16",
                        "--warmup",
                        "0",
                        "--iterations",
                        "1");
        assertThat(report)
                .contains("dpo-lora: LoRA r 8 on all linear layers, 4 x 16 tokens")
                .containsPattern("[0-9]+ tokens/s, 32 labelled");
    }

    @Test
    void anEvalHellaswagTaskScoresTheItemsAsLmEvalDoes() {
        String report =
                run(
                        "bench",
                        "--task",
                        "eval-hellaswag",
                        "--model-dir",
                        Fixtures.resource("fixtures/models/gpt2").toString(),
                        "--data",
                        Fixtures.resource("eval/peer/hellaswag_peer_items.jsonl").toString(),
                        "--items",
                        "16",
                        "--warmup",
                        "0",
                        "--iterations",
                        "1");
        // lm-eval's acc over the first 16 peer items is 4/16 (eval/peer/hellaswag_peer_gpt2.json).
        assertThat(report)
                .containsPattern(
                        "kubetune eval-hellaswag: 16 items, median [0-9.]+ s of 1,"
                                + " [0-9.]+ items/s, [0-9]+ tokens/s")
                .contains("acc 0.2500")
                .containsPattern("peak RSS [0-9]+ MiB");
    }

    @Test
    void anEvalHellaswagTaskWithoutAModelIsRefused() {
        assertThat(
                        new CommandLine(new KubetuneCli())
                                .execute("bench", "--task", "eval-hellaswag", "--data", "x.jsonl"))
                .isEqualTo(2);
    }

    private static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(new CommandLine(new KubetuneCli()).execute(args)).isZero();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void explicitSizesOverrideThePreset() {
        BenchCommand command = new BenchCommand();
        new CommandLine(command)
                .parseArgs("--arch", "llama", "--layers", "3", "--kv-heads", "1", "--vocab", "99");
        assertThat(command.shape())
                .extracting("layers", "hidden", "kvHeads", "vocab")
                .containsExactly(3, 768, 1, 99);
    }
}
