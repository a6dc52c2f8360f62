package io.kubetune.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.trainer.model.decoder.DecoderConfig;
import io.kubetune.trainer.model.io.HfConfig;
import io.kubetune.trainer.model.llama.LlamaFamily;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArchitectureRegistryTest {

    @Test
    void unknownModelTypeNamesTheSupportedOnes() {
        HfConfig config = HfConfig.of(Map.of("model_type", "falcon"), "config.json");
        assertThatThrownBy(() -> ArchitectureRegistry.standard().create(config))
                .hasMessageContaining("model_type 'falcon' is not supported")
                .hasMessageContaining("gpt2, llama, mistral, qwen2");
    }

    @Test
    void qwen2GetsQkvBiasAndMistralItsSlidingWindow() {
        Map<String, Object> base =
                Map.of(
                        "hidden_size", 64,
                        "num_attention_heads", 4,
                        "num_key_value_heads", 2,
                        "intermediate_size", 128,
                        "num_hidden_layers", 1,
                        "vocab_size", 100);
        LlamaFamily llama = new LlamaFamily();
        DecoderConfig qwen2 = llama.config(with(base, "qwen2", "sliding_window", 4096));
        assertThat(qwen2.attention().qkvBias()).isTrue();
        assertThat(qwen2.attention().outputBias()).isFalse();
        assertThat(qwen2.attention().slidingWindow()).isZero();
        DecoderConfig mistral = llama.config(with(base, "mistral", "sliding_window", 4096));
        assertThat(mistral.attention().qkvBias()).isFalse();
        assertThat(mistral.attention().slidingWindow()).isEqualTo(4096);
        assertThat(ArchitectureRegistry.standard().create(with(base, "qwen2", "x", 0)).family())
                .isEqualTo("qwen2");
    }

    @Test
    void unsupportedRopeTypeIsNamed() {
        Map<String, Object> c =
                Map.of(
                        "model_type", "llama",
                        "hidden_size", 64,
                        "num_attention_heads", 4,
                        "intermediate_size", 128,
                        "num_hidden_layers", 1,
                        "vocab_size", 100,
                        "rope_scaling", Map.of("rope_type", "yarn", "factor", 4.0));
        assertThatThrownBy(() -> new LlamaFamily().config(HfConfig.of(c, "config.json")))
                .hasMessageContaining("rope type 'yarn' is not supported")
                .hasMessageContaining("default, linear, llama3");
    }

    private static HfConfig with(Map<String, Object> base, String type, String key, Object value) {
        java.util.Map<String, Object> c = new java.util.HashMap<>(base);
        c.put("model_type", type);
        c.put(key, value);
        return HfConfig.of(c, "config.json");
    }
}
