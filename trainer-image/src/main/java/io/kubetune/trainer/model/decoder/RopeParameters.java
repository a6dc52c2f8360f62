package io.kubetune.trainer.model.decoder;

import io.kubetune.trainer.model.io.HfConfig;
import java.util.Optional;

/**
 * Rotary position embedding parameters: {@code rope_theta} and {@code rope_scaling} (or
 * transformers 5's {@code rope_parameters}), turned into inverse frequencies exactly as
 * transformers' {@code modeling_rope_utils} computes them, in F32.
 *
 * @param theta the base
 * @param dim rotated width (head_dim x partial_rotary_factor)
 * @param type {@code default}, {@code linear} or {@code llama3}
 * @param factor the scaling factor (linear, llama3)
 * @param lowFreqFactor llama3's {@code low_freq_factor}
 * @param highFreqFactor llama3's {@code high_freq_factor}
 * @param originalContext llama3's {@code original_max_position_embeddings}
 */
public record RopeParameters(
        double theta,
        int dim,
        String type,
        double factor,
        double lowFreqFactor,
        double highFreqFactor,
        double originalContext) {

    /** Reads the rope settings of a config. */
    public static RopeParameters from(HfConfig c, int headDim) {
        Optional<HfConfig> parameters = c.optObject("rope_parameters");
        Optional<HfConfig> scaling = parameters.or(() -> c.optObject("rope_scaling"));
        double theta =
                parameters
                        .map(p -> p.optDouble("rope_theta", 10000.0))
                        .orElse(c.optDouble("rope_theta", 10000.0));
        int dim = (int) (headDim * c.optDouble("partial_rotary_factor", 1.0));
        if (scaling.isEmpty()) {
            return new RopeParameters(theta, dim, "default", 1, 0, 0, 0);
        }
        HfConfig s = scaling.get();
        String type = s.optString("rope_type").or(() -> s.optString("type")).orElse("default");
        return switch (type) {
            case "default" -> new RopeParameters(theta, dim, "default", 1, 0, 0, 0);
            case "linear" ->
                    new RopeParameters(theta, dim, "linear", s.getDouble("factor"), 0, 0, 0);
            case "llama3" ->
                    new RopeParameters(
                            theta,
                            dim,
                            "llama3",
                            s.getDouble("factor"),
                            s.getDouble("low_freq_factor"),
                            s.getDouble("high_freq_factor"),
                            s.getDouble("original_max_position_embeddings"));
            default ->
                    throw new IllegalArgumentException(
                            c.source()
                                    + ": rope type '"
                                    + type
                                    + "' is not supported; supported: default, linear, llama3");
        };
    }

    /**
     * Returns the inverse frequencies, {@code dim / 2} of them.
     *
     * <p>Same F32 operation order as transformers: {@code 1 / theta^(arange(0, dim, 2) / dim)},
     * then the type's scaling.
     */
    public float[] inverseFrequencies() {
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / (float) dim;
            inv[i] = 1.0f / (float) Math.pow(theta, exponent);
        }
        if (type.equals("linear")) {
            for (int i = 0; i < inv.length; i++) {
                inv[i] = inv[i] / (float) factor;
            }
        } else if (type.equals("llama3")) {
            llama3(inv);
        }
        return inv;
    }

    // _compute_llama3_parameters: keep high frequencies, divide low ones by factor, blend between.
    private void llama3(float[] inv) {
        float f = (float) factor;
        float low = (float) lowFreqFactor;
        float high = (float) highFreqFactor;
        float context = (float) originalContext;
        // Python divides in double; torch compares F32 values with the bound cast to F32.
        float lowFreqWavelen = (float) (originalContext / lowFreqFactor);
        float highFreqWavelen = (float) (originalContext / highFreqFactor);
        for (int i = 0; i < inv.length; i++) {
            // torch evaluates 2*pi / t as reciprocal(t) * 2*pi, both in F32.
            float wavelen = (1.0f / inv[i]) * (float) (2 * Math.PI);
            float scaled = wavelen > lowFreqWavelen ? inv[i] / f : inv[i];
            boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
            if (medium) {
                float smooth = ((1.0f / wavelen) * context - low) / (high - low);
                scaled = (1 - smooth) * scaled / f + smooth * scaled;
            }
            inv[i] = scaled;
        }
    }
}
