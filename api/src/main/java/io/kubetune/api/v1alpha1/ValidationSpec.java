package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Held-out data for the eval loss during training. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "has(self.ratio) != has(self.uri)",
        message = "set exactly one of validation.ratio or validation.uri")
@ValidationRule(
        value =
                "!has(self.uri) || !self.uri.startsWith('http://')"
                        + " || (has(self.allowInsecureHttp) && self.allowInsecureHttp)",
        message = "uri is plain http://: use https://, or set allowInsecureHttp: true")
public class ValidationSpec {
    @Size(max = 16)
    @Pattern(Patterns.FRACTION)
    @JsonPropertyDescription(
            "Fraction of the training records held out for validation, e.g. \"0.05\".")
    public String ratio;

    @Size(max = 1024)
    @Pattern(Patterns.DATA_URI)
    @JsonPropertyDescription("A separate validation file, in the format of the first dataset.")
    public String uri;

    @JsonPropertyDescription(
            "Read a plain http:// URI for the validation file. Off by default: plain http can be changed by anyone on"
                    + " the way, and reaches any address the pod can; prefer https://.")
    public Boolean allowInsecureHttp;
}
