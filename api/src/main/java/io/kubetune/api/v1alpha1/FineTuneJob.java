package io.kubetune.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A fine-tuning run of a Hugging Face model: the operator turns it into a trainer Job. */
@Group(FineTuneJob.GROUP)
@Version(FineTuneJob.VERSION)
@Kind("FineTuneJob")
@Plural("finetunejobs")
@ShortNames("ftj")
@AdditionalPrinterColumn(
        name = "State",
        jsonPath = ".status.state",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Progress",
        jsonPath = ".status.progress.percent",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Step",
        jsonPath = ".status.progress.step",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Loss",
        jsonPath = ".status.progress.loss",
        type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
        name = "Hellaswag",
        jsonPath = ".status.hellaswag",
        type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(
        value = ImmutableOnceStarted.FINE_TUNE_JOB_RULE,
        message = ImmutableOnceStarted.MESSAGE)
// the one cycle CEL can see (metadata.name is readable at the root); longer ones: the operator
@ValidationRule(
        value =
                "!has(self.spec.model.fineTuneJobRef)"
                        + " || self.spec.model.fineTuneJobRef.name != self.metadata.name",
        message = "a FineTuneJob cannot start from its own model: name another job",
        fieldPath = ".spec.model.fineTuneJobRef")
@ValidationRule(
        value =
                "!has(self.spec.rewardModel) || !has(self.spec.rewardModel.fineTuneJobRef)"
                        + " || self.spec.rewardModel.fineTuneJobRef.name != self.metadata.name",
        message = "a FineTuneJob cannot be its own reward model: name a job of stage rm",
        fieldPath = ".spec.rewardModel.fineTuneJobRef")
public class FineTuneJob extends CustomResource<FineTuneJobSpec, FineTuneJobStatus>
        implements Namespaced {
    public static final String GROUP = "kubetune.io";
    public static final String VERSION = "v1alpha1";
}
