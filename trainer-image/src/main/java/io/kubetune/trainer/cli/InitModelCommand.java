package io.kubetune.trainer.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.bench.ModelShape;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.HfModelWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kubetune init-model}: a new, randomly initialised model in Hugging Face form, to pre-train
 * from scratch with stage pt.
 */
@Command(
        name = "init-model",
        mixinStandardHelpOptions = true,
        description =
                "Writes a randomly initialised model (config.json, model.safetensors) with the"
                        + " tokenizer of another model folder, ready for a pt FineTuneJob.")
public final class InitModelCommand implements Callable<Integer> {
    @Option(
            names = "--arch",
            defaultValue = "llama",
            description = "gpt2 or llama (default ${DEFAULT-VALUE}).")
    String arch;

    @Option(
            names = "--layers",
            defaultValue = "4",
            description = "Transformer layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(
            names = "--hidden",
            defaultValue = "128",
            description = "Model width (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(
            names = "--heads",
            defaultValue = "4",
            description = "Attention heads (default ${DEFAULT-VALUE}).")
    int heads;

    @Option(
            names = "--kv-heads",
            defaultValue = "2",
            description = "Key/value heads, llama (default ${DEFAULT-VALUE}).")
    int kvHeads;

    @Option(
            names = "--intermediate",
            defaultValue = "384",
            description = "Feed-forward width (default ${DEFAULT-VALUE}).")
    int intermediate;

    @Option(
            names = "--positions",
            defaultValue = "512",
            description = "Longest sequence (default ${DEFAULT-VALUE}).")
    int positions;

    @Option(
            names = "--tokenizer",
            required = true,
            paramLabel = "DIR",
            description = "A model folder whose tokenizer files are used.")
    Path tokenizerDir;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed of the initial weights (default ${DEFAULT-VALUE}).")
    int seed;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "DIR",
            description = "Where the model folder is written.")
    Path output;

    @Option(
            names = "--force",
            description = "Overwrite a model already in --output (refused without it).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        refuseToOverwrite();
        int vocab = vocabularySize(tokenizerDir.resolve("tokenizer.json"));
        Engine.getInstance().setRandomSeed(seed);
        ModelShape shape =
                new ModelShape(
                        arch, layers, hidden, heads, kvHeads, intermediate, vocab, positions);
        try (PretrainedModel model =
                PretrainedModel.random(shape.toConfig(), Device.cpu(), Precision.FP32)) {
            HfModelWriter.write(output, model, tokenizerDir, DataType.FLOAT32);
        }
        System.out.printf(
                "wrote a random %s model (%d layers, width %d, vocabulary %d) to %s%n",
                arch, layers, hidden, vocab, output);
        return 0;
    }

    /** A model already there is someone's work: it is replaced only when asked to. */
    private void refuseToOverwrite() throws IOException {
        if (force || !Files.isDirectory(output)) {
            return;
        }
        try (Stream<Path> entries = Files.list(output)) {
            if (entries.findAny().isPresent()) {
                throw new UserInputException(
                        "--output "
                                + output
                                + " is not empty (a model may be there): pass --force to"
                                + " overwrite it, or choose another folder");
            }
        }
    }

    /** One more than the largest id of the vocabulary and the added tokens of tokenizer.json. */
    static int vocabularySize(Path tokenizerJson) throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(tokenizerJson)).getAsJsonObject();
        int max = -1;
        JsonElement vocab = root.getAsJsonObject("model").get("vocab");
        if (vocab != null && vocab.isJsonObject()) {
            for (var entry : vocab.getAsJsonObject().entrySet()) {
                max = Math.max(max, entry.getValue().getAsInt());
            }
        }
        if (root.has("added_tokens")) {
            for (JsonElement token : root.getAsJsonArray("added_tokens")) {
                max = Math.max(max, token.getAsJsonObject().get("id").getAsInt());
            }
        }
        if (max < 0) {
            throw new IllegalArgumentException(
                    tokenizerJson + " has no BPE vocabulary to size the model by");
        }
        return max + 1;
    }
}
