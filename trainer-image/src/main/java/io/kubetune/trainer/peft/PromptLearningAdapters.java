package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.PromptLearningSpec;
import io.kubetune.trainer.model.DecoderLm;
import io.kubetune.trainer.model.InputPrefix;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A prompt-learning method on a model: its virtual tokens put before every pass's input, what
 * trains (PEFT's {@code prompt_encoder.default.*} tensors), switching it off, and its PEFT files.
 */
public final class PromptLearningAdapters implements Adapters {
    private static final String PREFIX = "prompt_encoder.default.";

    private final DecoderLm model;
    private final MethodType type;
    private final PromptLearningSpec spec;
    private final SwitchablePrefix prefix;
    private final Map<String, Parameter> trainable;
    private final Function<NDManager, NDArray> saved;

    private PromptLearningAdapters(
            DecoderLm model,
            MethodType type,
            PromptLearningSpec spec,
            SwitchablePrefix prefix,
            Map<String, Parameter> trainable,
            Function<NDManager, NDArray> saved) {
        this.model = model;
        this.type = type;
        this.spec = spec;
        this.prefix = prefix;
        this.trainable = trainable;
        this.saved = saved;
        model.setInputPrefix(prefix);
    }

    /** Prompt tuning, or a P-tuning adapter read back (PEFT uses its saved output as a table). */
    static PromptLearningAdapters table(
            DecoderLm model, MethodType type, PromptLearningSpec spec, VirtualTokenTable table) {
        PromptEmbeddings embeddings =
                new PromptEmbeddings(
                        new PromptEmbeddings.Source() {
                            @Override
                            public NDArray embeddings(
                                    ParameterStore ps, NDManager scope, boolean training) {
                                return table.rows(ps, scope, training);
                            }

                            @Override
                            public int count() {
                                return (int) table.count();
                            }
                        });
        return new PromptLearningAdapters(
                model,
                type,
                spec,
                embeddings,
                Map.of(PREFIX + "embedding.weight", table.weight()),
                manager -> table.weight().getArray());
    }

    /** P-tuning with its encoder: the encoder trains, its output is what is saved. */
    static PromptLearningAdapters encoder(
            DecoderLm model, PromptLearningSpec spec, PromptEncoder encoder) {
        PromptEmbeddings embeddings = new PromptEmbeddings(encoder);
        Map<String, Parameter> named = new LinkedHashMap<>();
        encoder.parameters().forEach((name, p) -> named.put(PREFIX + name, p));
        return new PromptLearningAdapters(
                model,
                MethodType.P_TUNING,
                spec,
                embeddings,
                named,
                manager ->
                        encoder.embeddings(new ParameterStore(manager, false), manager, false)
                                .stopGradient());
    }

    /** Prefix tuning: the table holds every layer's keys and values. */
    static PromptLearningAdapters prefix(
            DecoderLm model, PromptLearningSpec spec, VirtualTokenTable table) {
        PrefixKeyValues keyValues = new PrefixKeyValues(table, model);
        return new PromptLearningAdapters(
                model,
                MethodType.PREFIX_TUNING,
                spec,
                keyValues,
                Map.of(PREFIX + "embedding.weight", table.weight()),
                manager -> table.weight().getArray());
    }

    @Override
    public Map<String, Parameter> trainable() {
        return trainable;
    }

    @Override
    public Disabled disabled() {
        boolean was = prefix.switchOff(true);
        return () -> prefix.switchOff(was);
    }

    /** Refused: virtual tokens are not weights; PEFT cannot merge them either. */
    @Override
    public void merge() {
        throw new IllegalStateException(
                "a "
                        + PromptLearningFormat.peftType(type)
                        + " adapter cannot be merged into the model's weights (its virtual tokens"
                        + " are input, not weights); set output.mergeModel: false");
    }

    @Override
    public void write(Path dir, String baseModel) throws IOException {
        try (NDManager scope = model.tokens().weight().getArray().getManager().newSubManager()) {
            PromptLearningFormat.write(dir, type, spec, saved.apply(scope), model, baseModel);
        }
    }

    /** Returns the prefix the model now runs every input through. */
    public InputPrefix prefix() {
        return prefix;
    }
}
