package io.kubetune.trainer.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives a base model without a chat template the ChatML format, as TRL's {@code setup_chat_format}
 * does: {@code <|im_start|>} and {@code <|im_end|>} become special tokens (bos, and eos = pad), the
 * embedding (and an untied output head) grows by their rows, initialised to the mean of the old
 * rows as transformers' {@code resize_token_embeddings} does, and the ChatML template is set. The
 * result is a new model folder; the base folder is not touched.
 *
 * <p>Unlike transformers, the embedding never shrinks when the tokenizer is shorter than it (e.g.
 * embeddings padded to a multiple of 64): the ids above the tokenizer's stay unused.
 */
public final class ChatFormatSetup {
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";

    /** TRL's ChatML template, character for character. */
    public static final String CHATML_TEMPLATE =
            "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' +"
                    + " message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if"
                    + " add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
    private static final List<String> GROWN_SUFFIXES =
            List.of("embed_tokens.weight", "wte.weight", "lm_head.weight");

    private ChatFormatSetup() {}

    /**
     * Writes the base model with ChatML set up into {@code target}.
     *
     * @return {@code target}
     * @throws IllegalArgumentException if the model already has a chat template
     */
    public static Path apply(Path base, Path target, NDManager manager) throws IOException {
        JsonObject tokenizerConfig = readOrEmpty(base.resolve("tokenizer_config.json"));
        if (tokenizerConfig.has("chat_template")
                && !tokenizerConfig.get("chat_template").isJsonNull()) {
            throw new IllegalArgumentException(
                    "spec.chatFormat is chatml, but the model already has a chat template; remove"
                            + " spec.chatFormat and use datasets[].template: model");
        }
        Files.createDirectories(target);
        JsonObject tokenizer = read(base.resolve("tokenizer.json"));
        long start = addSpecialToken(tokenizer, IM_START);
        long end = addSpecialToken(tokenizer, IM_END);
        long tokenizerLength = length(tokenizer);
        write(target.resolve("tokenizer.json"), tokenizer);

        tokenizerConfig.addProperty("bos_token", IM_START);
        tokenizerConfig.addProperty("eos_token", IM_END);
        tokenizerConfig.addProperty("pad_token", IM_END);
        tokenizerConfig.addProperty("chat_template", CHATML_TEMPLATE);
        JsonObject decoder =
                tokenizerConfig.has("added_tokens_decoder")
                        ? tokenizerConfig.getAsJsonObject("added_tokens_decoder")
                        : new JsonObject();
        decoder.add(Long.toString(start), addedToken(IM_START, start));
        decoder.add(Long.toString(end), addedToken(IM_END, end));
        tokenizerConfig.add("added_tokens_decoder", decoder);
        write(target.resolve("tokenizer_config.json"), tokenizerConfig);

        Path specialMap = base.resolve("special_tokens_map.json");
        if (Files.exists(specialMap)) {
            JsonObject map = read(specialMap);
            map.addProperty("bos_token", IM_START);
            map.addProperty("eos_token", IM_END);
            map.addProperty("pad_token", IM_END);
            write(target.resolve("special_tokens_map.json"), map);
        }

        JsonObject config = read(base.resolve("config.json"));
        long oldRows = config.get("vocab_size").getAsLong();
        long rows = Math.max(oldRows, tokenizerLength);
        config.addProperty("vocab_size", rows);
        setIds(config, start, end);
        write(target.resolve("config.json"), config);
        Path generation = base.resolve("generation_config.json");
        if (Files.exists(generation)) {
            JsonObject gen = read(generation);
            setIds(gen, start, end);
            write(target.resolve("generation_config.json"), gen);
        }
        writeWeights(base, target, oldRows, rows, manager);
        return target;
    }

    private static void setIds(JsonObject config, long bos, long eos) {
        config.addProperty("bos_token_id", bos);
        config.addProperty("eos_token_id", eos);
        config.addProperty("pad_token_id", eos);
    }

    /** The token's id: its existing one, or the next free id as a new special added token. */
    private static long addSpecialToken(JsonObject tokenizer, String content) {
        JsonArray added = tokenizer.getAsJsonArray("added_tokens");
        if (added == null) {
            added = new JsonArray();
            tokenizer.add("added_tokens", added);
        }
        for (JsonElement e : added) {
            JsonObject token = e.getAsJsonObject();
            if (token.get("content").getAsString().equals(content)) {
                token.addProperty("special", true);
                return token.get("id").getAsLong();
            }
        }
        JsonObject vocab = tokenizer.getAsJsonObject("model").getAsJsonObject("vocab");
        long id =
                vocab != null && vocab.has(content)
                        ? vocab.get(content).getAsLong()
                        : length(tokenizer);
        JsonObject token = addedToken(content, id);
        token.addProperty("id", id);
        added.add(token);
        return id;
    }

    /**
     * transformers' {@code len(tokenizer)}: one past the highest id of vocabulary and added tokens.
     */
    private static long length(JsonObject tokenizer) {
        long max = -1;
        JsonElement vocab = tokenizer.getAsJsonObject("model").get("vocab");
        if (vocab != null && vocab.isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) {
                max = Math.max(max, e.getValue().getAsLong());
            }
        } else if (vocab != null && vocab.isJsonArray()) {
            max = vocab.getAsJsonArray().size() - 1L; // Unigram: [[piece, score], ...]
        }
        for (JsonElement e : tokenizer.getAsJsonArray("added_tokens")) {
            max = Math.max(max, e.getAsJsonObject().get("id").getAsLong());
        }
        return max + 1;
    }

    private static JsonObject addedToken(String content, long id) {
        JsonObject token = new JsonObject();
        token.addProperty("content", content);
        token.addProperty("single_word", false);
        token.addProperty("lstrip", false);
        token.addProperty("rstrip", false);
        token.addProperty("normalized", false);
        token.addProperty("special", true);
        return token;
    }

    /** Copies every tensor; the embedding and output head get mean rows up to {@code rows}. */
    private static void writeWeights(
            Path base, Path target, long oldRows, long rows, NDManager manager) throws IOException {
        try (Checkpoint checkpoint = Checkpoint.open(base);
                TensorLoader loader = new TensorLoader();
                NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String name : checkpoint.names()) {
                TensorView view = checkpoint.tensor(name);
                NDArray tensor = loader.load(view, WeightLayout.AS_IS, scratch, DataType.FLOAT32);
                if (rows > oldRows && grows(name, view, oldRows)) {
                    NDArray mean = tensor.mean(new int[] {0}, true);
                    NDList parts = new NDList(tensor);
                    for (long r = oldRows; r < rows; r++) {
                        parts.add(mean);
                    }
                    tensor = NDArrays.concat(parts, 0);
                }
                tensors.put(
                        name,
                        view.dtype() == SafetensorsDtype.F16
                                ? tensor.toType(DataType.FLOAT16, false)
                                : tensor);
            }
            Files.deleteIfExists(target.resolve(Checkpoint.INDEX_FILE));
            SafetensorsWriter.write(
                    target.resolve(Checkpoint.SINGLE_FILE), tensors, Map.of("format", "pt"));
        }
    }

    private static boolean grows(String name, TensorView view, long oldRows) {
        return view.shape().dimension() == 2
                && view.shape().get(0) == oldRows
                && GROWN_SUFFIXES.stream().anyMatch(name::endsWith);
    }

    private static JsonObject read(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    private static JsonObject readOrEmpty(Path file) throws IOException {
        return Files.exists(file) ? read(file) : new JsonObject();
    }

    private static void write(Path file, JsonObject json) throws IOException {
        Files.writeString(file, GSON.toJson(json), StandardCharsets.UTF_8);
    }
}
