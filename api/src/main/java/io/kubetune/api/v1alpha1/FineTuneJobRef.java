package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A FineTuneJob in the same namespace whose output (adapter, model) is used once it has succeeded;
 * the operator writes that output's URI into the trainer's job file.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FineTuneJobRef {
    @Required
    @Size(max = 253)
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("Name of the FineTuneJob.")
    public String name;

    @Size(max = 63)
    @Pattern(Patterns.DNS_LABEL)
    @JsonPropertyDescription(
            "Only this job's own namespace is allowed (the default): a job in another namespace"
                    + " is refused with reason InvalidSpec.")
    public String namespace;
}
