package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Secret in the job's namespace whose keys become the trainer's environment variables. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretReference {
    @Required
    @Size(max = 253)
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription(
            "Name of a Secret in the same namespace. Its keys are passed to the trainer as"
                    + " environment variables: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and"
                    + " optionally AWS_ENDPOINT_URL and AWS_REGION for S3; HF_TOKEN for the"
                    + " Hugging Face hub.")
    public String name;

    public SecretReference() {}

    public SecretReference(String name) {
        this.name = name;
    }
}
