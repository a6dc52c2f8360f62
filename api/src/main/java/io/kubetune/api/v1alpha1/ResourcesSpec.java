package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Map;

/** What the trainer pod asks of the cluster. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResourcesSpec {
    /** Room for a 7B model in fp16 (about 15 GB), its data and a few local checkpoints. */
    public static final String DEFAULT_CACHE_SIZE = "100Gi";

    @Min(0)
    @Max(64)
    @Default("0")
    @JsonPropertyDescription("GPUs (nvidia.com/gpu) requested and limited; 0 runs on CPU.")
    public Integer gpus = 0;

    @Size(max = 32)
    @Pattern(Patterns.QUANTITY)
    @JsonPropertyDescription("CPU request, a quantity such as \"4\" or \"500m\".")
    public String cpu;

    @Size(max = 32)
    @Pattern(Patterns.QUANTITY)
    @JsonPropertyDescription("Memory request and limit, a quantity such as \"16Gi\".")
    public String memory;

    @Size(max = 32)
    @Pattern(Patterns.QUANTITY)
    @Default(DEFAULT_CACHE_SIZE)
    @JsonPropertyDescription(
            "Size limit of the pod's download cache (model, data, local checkpoints), a quantity"
                    + " such as \"200Gi\"; a pod that writes more is evicted. Default "
                    + DEFAULT_CACHE_SIZE
                    + ".")
    public String cacheSize = DEFAULT_CACHE_SIZE;

    @Size(max = 32)
    @JsonPropertyDescription("Node labels the pod must be scheduled on.")
    public Map<String, @Size(max = 63) String> nodeSelector;

    @Size(max = 16)
    @JsonPropertyDescription("Taints the pod tolerates, e.g. those of GPU nodes.")
    public List<Toleration> tolerations;
}
