package io.kubetune.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Consumer;

/**
 * A wrong spec a user could write: a valid example with one mistake, the field the error must name,
 * and a piece of the message. Shared by the schema test, the real-API-server test and (through this
 * module's test-jar) the trainer's {@code kubetune validate} test.
 *
 * @param cel true when only a CEL rule (so only a real API server) catches it
 */
public record BadSpec(
        String description,
        String plural,
        Consumer<ObjectNode> mistake,
        String field,
        String message,
        boolean cel) {

    @Override
    public String toString() {
        return description;
    }

    /** The example resource of the kind (examples/finetunejob.yaml or examples/evaljob.yaml). */
    public static JsonNode validResource(String plural) {
        return CrdSchema.readYaml(
                RepoFiles.example(plural.equals("evaljobs") ? "evaljob.yaml" : "finetunejob.yaml"));
    }

    /** The bad resource: the example of its kind with the mistake made. */
    public JsonNode resource() {
        return applyTo(validResource(plural));
    }

    JsonNode applyTo(JsonNode validResource) {
        ObjectNode copy = validResource.deepCopy();
        mistake.accept(copy);
        return copy;
    }

    static BadSpec schema(
            String description,
            String plural,
            Consumer<ObjectNode> mistake,
            String field,
            String message) {
        return new BadSpec(description, plural, mistake, field, message, false);
    }

    static BadSpec cel(
            String description,
            String plural,
            Consumer<ObjectNode> mistake,
            String field,
            String message) {
        return new BadSpec(description, plural, mistake, field, message, true);
    }

    /** Sets a value at a dotted path such as {@code spec.datasets[0].format}. */
    static Consumer<ObjectNode> set(String path, Object value) {
        return root -> {
            ObjectNode parent = parentOf(root, path);
            parent.set(leaf(path), toNode(value));
        };
    }

    static Consumer<ObjectNode> remove(String path) {
        return root -> parentOf(root, path).remove(leaf(path));
    }

    private static JsonNode toNode(Object value) {
        return CrdSchema.YAML.valueToTree(value);
    }

    private static String leaf(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    private static ObjectNode parentOf(ObjectNode root, String path) {
        JsonNode node = root;
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            node = step(node, parts[i]);
        }
        return (ObjectNode) node;
    }

    private static JsonNode step(JsonNode node, String part) {
        int bracket = part.indexOf('[');
        if (bracket < 0) {
            return ((ObjectNode) node).with(part);
        }
        ArrayNode array = (ArrayNode) node.get(part.substring(0, bracket));
        return array.get(Integer.parseInt(part.substring(bracket + 1, part.length() - 1)));
    }

    /** The valid example turned into a DPO job on preference data. */
    static Consumer<ObjectNode> dpo() {
        return set("spec.stage", "dpo").andThen(set("spec.datasets[0].format", "preference"));
    }

    static Consumer<ObjectNode> kto() {
        return set("spec.stage", "kto").andThen(set("spec.datasets[0].format", "kto"));
    }

    static Consumer<ObjectNode> promptLearning(String type) {
        return set("spec.method.type", type).andThen(remove("spec.method.lora"));
    }

    static Consumer<ObjectNode> grpo(Object rewards) {
        return set("spec.stage", "grpo")
                .andThen(set("spec.datasets[0].format", "prompt"))
                .andThen(set("spec.grpo.rewards", rewards));
    }

    /** At least 15 mistakes users make, each caught with the field named. */
    public static List<BadSpec> all() {
        String ftj = "finetunejobs";
        String ej = "evaljobs";
        return List.of(
                schema("missing model", ftj, remove("spec.model"), "spec.model", "required"),
                schema(
                        "model URI with an unknown scheme",
                        ftj,
                        set("spec.model.uri", "ftp://models/x"),
                        "spec.model.uri",
                        "pattern"),
                schema(
                        "unknown data format",
                        ftj,
                        set("spec.datasets[0].format", "csvx"),
                        "spec.datasets[0].format",
                        "sharegpt"),
                schema("no datasets", ftj, set("spec.datasets", List.of()), "spec.datasets", "1"),
                schema(
                        "negative LoRA rank",
                        ftj,
                        set("spec.method.lora.r", -1),
                        "spec.method.lora.r",
                        "1"),
                schema(
                        "learning rate \"abc\"",
                        ftj,
                        set("spec.training.learningRate", "abc"),
                        "spec.training.learningRate",
                        "pattern"),
                schema(
                        "epochs as a word",
                        ftj,
                        set("spec.training.epochs", "three"),
                        "spec.training.epochs",
                        "integer"),
                schema("unknown stage", ftj, set("spec.stage", "rlhf"), "spec.stage", "sft"),
                schema(
                        "zero batch size",
                        ftj,
                        set("spec.training.batchSize", 0),
                        "spec.training.batchSize",
                        "1"),
                schema(
                        "cutoff length too large",
                        ftj,
                        set("spec.training.cutoffLength", 999_999),
                        "spec.training.cutoffLength",
                        "131072"),
                schema(
                        "unknown batching mode",
                        ftj,
                        set("spec.training.batching", "stream"),
                        "spec.training.batching",
                        "packed-isolated"),
                schema(
                        "dropout of 1.5",
                        ftj,
                        set("spec.method.lora.dropout", "1.5"),
                        "spec.method.lora.dropout",
                        "pattern"),
                schema(
                        "output not on S3",
                        ftj,
                        set("spec.output.uri", "https://bucket/run"),
                        "spec.output.uri",
                        "pattern"),
                schema("missing output", ftj, remove("spec.output"), "spec.output", "required"),
                schema(
                        "negative GPU count",
                        ftj,
                        set("spec.resources.gpus", -1),
                        "spec.resources.gpus",
                        "0"),
                schema(
                        "memory that is not a quantity",
                        ftj,
                        set("spec.resources.memory", "lots"),
                        "spec.resources.memory",
                        "pattern"),
                schema(
                        "queue name with spaces",
                        ftj,
                        set("spec.queueName", "My Queue"),
                        "spec.queueName",
                        "pattern"),
                schema(
                        "keep no checkpoints",
                        ftj,
                        set("spec.checkpoint.keepLast", 0),
                        "spec.checkpoint.keepLast",
                        "1"),
                schema(
                        "unknown eval task",
                        ej,
                        set("spec.tasks[0].name", "mmlu"),
                        "spec.tasks[0].name",
                        "hellaswag"),
                schema("eval without a model", ej, remove("spec.model"), "spec.model", "required"),
                cel(
                        "LoRA fields with method full",
                        ftj,
                        set("spec.method.type", "full"),
                        "spec.method",
                        "method.lora is only allowed when method.type is lora"),
                cel(
                        "quantized base without LoRA",
                        ftj,
                        set("spec.method.type", "full")
                                .andThen(remove("spec.method.lora"))
                                .andThen(set("spec.method.quantization", "nf4")),
                        "spec.method",
                        "method.quantization needs method.type lora"),
                cel(
                        "doubleQuant with int8",
                        ftj,
                        set("spec.method.quantization", "int8")
                                .andThen(set("spec.method.doubleQuant", true)),
                        "spec.method",
                        "method.doubleQuant applies to quantization: nf4 only"),
                schema(
                        "unknown quantization",
                        ftj,
                        set("spec.method.quantization", "fp4"),
                        "spec.method.quantization",
                        "nf4"),
                cel(
                        "EvalJob doubleQuant with int8",
                        ej,
                        set("spec.quantization", "int8").andThen(set("spec.doubleQuant", true)),
                        "spec",
                        "spec.doubleQuant applies to quantization: nf4 only"),
                schema(
                        "EvalJob unknown quantization",
                        ej,
                        set("spec.quantization", "fp4"),
                        "spec.quantization",
                        "nf4"),
                cel(
                        "both epochs and maxSteps",
                        ftj,
                        set("spec.training.maxSteps", 100),
                        "spec.training",
                        "exactly one of training.epochs or training.maxSteps"),
                cel(
                        "neither epochs nor maxSteps",
                        ftj,
                        remove("spec.training.epochs"),
                        "spec.training",
                        "exactly one of training.epochs or training.maxSteps"),
                cel(
                        "tokens per batch with packing",
                        ftj,
                        spec -> {
                            set("spec.training.maxTokensPerBatch", 4096).accept(spec);
                            set("spec.training.batching", "packed").accept(spec);
                        },
                        "spec.training",
                        "training.maxTokensPerBatch sizes padding batches only"),
                cel(
                        "tokens per batch below one row",
                        ftj,
                        spec -> {
                            set("spec.training.maxTokensPerBatch", 256).accept(spec);
                            set("spec.training.cutoffLength", 512).accept(spec);
                        },
                        "spec.training",
                        "must hold one row of training.cutoffLength tokens"),
                cel(
                        "warm-up as steps and ratio",
                        ftj,
                        set("spec.training.warmupSteps", 10),
                        "spec.training",
                        "at most one of training.warmupSteps or training.warmupRatio"),
                cel(
                        "validation ratio and file",
                        ftj,
                        set("spec.validation.uri", "s3://datasets/val.json"),
                        "spec.validation",
                        "exactly one of validation.ratio or validation.uri"),
                cel(
                        "plain http data without the opt-in",
                        ftj,
                        set("spec.datasets[0].uri", "http://data.example/train.jsonl"),
                        "spec.datasets[0]",
                        "uri is plain http://: use https://, or set allowInsecureHttp: true"),
                cel(
                        "perplexity without data",
                        ej,
                        set("spec.tasks[0].name", "perplexity")
                                .andThen(remove("spec.tasks[0].dataUri")),
                        "spec.tasks[0]",
                        "perplexity task needs dataUri"),
                schema(
                        "unknown preference loss",
                        ftj,
                        dpo().andThen(set("spec.preference", java.util.Map.of("loss", "kto"))),
                        "spec.preference.loss",
                        "sigmoid"),
                schema(
                        "label smoothing of 0.5",
                        ftj,
                        dpo().andThen(
                                        set(
                                                "spec.preference",
                                                java.util.Map.of(
                                                        "loss",
                                                        "robust",
                                                        "labelSmoothing",
                                                        "0.5"))),
                        "spec.preference.labelSmoothing",
                        "pattern"),
                cel(
                        "instruction data under stage ppo",
                        ftj,
                        set("spec.stage", "ppo")
                                .andThen(
                                        set(
                                                "spec.rewardModel",
                                                java.util.Map.of("uri", "hf://org/rm"))),
                        "spec.datasets",
                        "stages grpo and ppo sample answers to prompts"),
                cel(
                        "instruction data under stage kto",
                        ftj,
                        set("spec.stage", "kto"),
                        "spec.datasets",
                        "every dataset needs format kto"),
                cel(
                        "kto data under stage dpo",
                        ftj,
                        dpo().andThen(set("spec.datasets[0].format", "kto")),
                        "spec.datasets",
                        "every dataset needs format preference"),
                cel(
                        "kto with one answer a batch",
                        ftj,
                        kto().andThen(set("spec.training.batchSize", 1)),
                        "spec.training.batchSize",
                        "set training.batchSize to 2 or more"),
                cel(
                        "kto weights under stage dpo",
                        ftj,
                        dpo().andThen(
                                        set(
                                                "spec.preference",
                                                java.util.Map.of("desirableWeight", "1.2"))),
                        "spec.preference",
                        "only used by stage kto"),
                cel(
                        "a dpo loss under stage kto",
                        ftj,
                        kto().andThen(set("spec.preference", java.util.Map.of("loss", "ipo"))),
                        "spec.preference.loss",
                        "stage kto has one loss"),
                cel(
                        "stage ppo without a reward model",
                        ftj,
                        set("spec.stage", "ppo"),
                        "spec.rewardModel",
                        "stage ppo learns from a reward model"),
                cel(
                        "ppo settings under stage sft",
                        ftj,
                        set("spec.ppo", java.util.Map.of("klCoef", "0.1")),
                        "spec.ppo",
                        "only used by stage ppo"),
                cel(
                        "ppo mini-batches that split a micro-batch",
                        ftj,
                        set("spec.stage", "ppo")
                                .andThen(set("spec.training.gradientAccumulationSteps", 3))
                                .andThen(set("spec.ppo", java.util.Map.of("miniBatches", 2))),
                        "spec.ppo.miniBatches",
                        "must divide training.gradientAccumulationSteps"),
                cel(
                        "reward whitening on small mini-batches",
                        ftj,
                        set("spec.stage", "ppo")
                                .andThen(set("spec.training.batchSize", 2))
                                .andThen(set("spec.training.gradientAccumulationSteps", 2))
                                .andThen(set("spec.ppo", java.util.Map.of("whitenRewards", true))),
                        "spec.ppo.whitenRewards",
                        "at least 8 rows per PPO mini-batch"),
                schema(
                        "ppo discount above 1",
                        ftj,
                        set("spec.ppo", java.util.Map.of("gamma", "1.5")),
                        "spec.ppo.gamma",
                        "pattern"),
                schema(
                        "unknown KL estimator",
                        ftj,
                        set("spec.ppo", java.util.Map.of("klEstimator", "k2")),
                        "spec.ppo.klEstimator",
                        "k1"),
                cel(
                        "preference data under stage sft",
                        ftj,
                        set("spec.datasets[0].format", "preference"),
                        "spec.datasets",
                        "stages pt and sft read alpaca"),
                cel(
                        "instruction data under stage dpo",
                        ftj,
                        set("spec.stage", "dpo"),
                        "spec.datasets",
                        "every dataset needs format preference"),
                cel(
                        "preference settings under stage sft",
                        ftj,
                        set("spec.preference", java.util.Map.of("beta", "0.2")),
                        "spec.preference",
                        "only used by stages rm, dpo and kto"),
                cel(
                        "simpoGamma with the sigmoid loss",
                        ftj,
                        dpo().andThen(set("spec.preference", java.util.Map.of("simpoGamma", "1"))),
                        "spec.preference.simpoGamma",
                        "only used by loss simpo"),
                cel(
                        "labelSmoothing with the ipo loss",
                        ftj,
                        dpo().andThen(
                                        set(
                                                "spec.preference",
                                                java.util.Map.of(
                                                        "loss", "ipo", "labelSmoothing", "0.1"))),
                        "spec.preference.labelSmoothing",
                        "only used by loss robust"),
                cel(
                        "grpo without any reward",
                        ftj,
                        set("spec.stage", "grpo").andThen(set("spec.datasets[0].format", "prompt")),
                        "spec.grpo",
                        "needs a reward"),
                schema(
                        "grpo with an empty reward list",
                        ftj,
                        grpo(List.of()),
                        "spec.grpo.rewards",
                        "1"),
                schema(
                        "grpo with one generation per prompt",
                        ftj,
                        grpo(List.of(java.util.Map.of("type", "exactMatch")))
                                .andThen(set("spec.grpo.numGenerations", 1)),
                        "spec.grpo.numGenerations",
                        "2"),
                cel(
                        "a regex reward without its pattern",
                        ftj,
                        grpo(List.of(java.util.Map.of("type", "regex"))),
                        "spec.grpo.rewards[0].type",
                        "needs pattern"),
                cel(
                        "dpo with packed rows",
                        ftj,
                        dpo().andThen(set("spec.training.batching", "packed")),
                        "spec.training.batching",
                        "set training.batching: padding"),
                schema(
                        "no virtual tokens",
                        ftj,
                        promptLearning("prompt-tuning")
                                .andThen(
                                        set(
                                                "spec.method.promptLearning",
                                                java.util.Map.of("numVirtualTokens", 0))),
                        "spec.method.promptLearning.numVirtualTokens",
                        "1"),
                cel(
                        "prompt learning settings with LoRA",
                        ftj,
                        set("spec.method.promptLearning", java.util.Map.of("numVirtualTokens", 8)),
                        "spec.method",
                        "method.promptLearning is only allowed when method.type is"),
                cel(
                        "quantized base under prompt tuning",
                        ftj,
                        promptLearning("prompt-tuning")
                                .andThen(set("spec.method.quantization", "nf4")),
                        "spec.method",
                        "method.quantization needs method.type lora"),
                cel(
                        "text init without a text",
                        ftj,
                        promptLearning("prompt-tuning")
                                .andThen(
                                        set(
                                                "spec.method.promptLearning",
                                                java.util.Map.of("init", "text"))),
                        "spec.method.promptLearning",
                        "init text needs method.promptLearning.initText"),
                cel(
                        "an encoder for prompt tuning",
                        ftj,
                        promptLearning("prompt-tuning")
                                .andThen(
                                        set(
                                                "spec.method.promptLearning",
                                                java.util.Map.of("encoderHiddenSize", 64))),
                        "spec.method",
                        "apply to p-tuning only"),
                cel(
                        "prompt tuning with packed rows",
                        ftj,
                        promptLearning("prompt-tuning")
                                .andThen(set("spec.training.batching", "packed")),
                        "spec.training.batching",
                        "set training.batching: padding"),
                cel(
                        "prefix tuning with gradient checkpointing",
                        ftj,
                        promptLearning("prefix-tuning")
                                .andThen(set("spec.training.gradientCheckpointing", true)),
                        "spec.training.gradientCheckpointing",
                        "gradientCheckpointing: false"),
                cel(
                        "merging a prompt-learning adapter",
                        ftj,
                        promptLearning("p-tuning").andThen(set("spec.output.mergeModel", true)),
                        "spec.output.mergeModel",
                        "cannot be merged"),
                cel(
                        "adapter by URI and by FineTuneJob",
                        ej,
                        set("spec.adapter.fineTuneJobRef", java.util.Map.of("name", "run-1")),
                        "spec.adapter",
                        "exactly one of adapter.uri or adapter.fineTuneJobRef"),
                cel(
                        "model by URI and by FineTuneJob",
                        ftj,
                        set("spec.model.fineTuneJobRef", java.util.Map.of("name", "sft")),
                        "spec.model",
                        "exactly one of model.uri or model.fineTuneJobRef"),
                cel(
                        "model adapter from a FineTuneJob",
                        ftj,
                        set(
                                "spec.model.adapter",
                                java.util.Map.of(
                                        "fineTuneJobRef", java.util.Map.of("name", "sft"))),
                        "spec.model",
                        "model.adapter needs model.uri and model.adapter.uri"),
                cel(
                        "a job that starts from itself",
                        ftj,
                        remove("spec.model.uri")
                                .andThen(
                                        set(
                                                "spec.model.fineTuneJobRef",
                                                java.util.Map.of("name", "itself")))
                                .andThen(set("metadata.name", "itself")),
                        "spec.model.fineTuneJobRef",
                        "cannot start from its own model"),
                cel(
                        "reward model under stage sft",
                        ftj,
                        set("spec.rewardModel", java.util.Map.of("uri", "hf://org/rm")),
                        "spec.rewardModel",
                        "only used by stages ppo and grpo"));
    }
}
