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

/** An evaluation of a model (optionally with a LoRA adapter) on benchmarks. */
@Group(FineTuneJob.GROUP)
@Version(FineTuneJob.VERSION)
@Kind("EvalJob")
@Plural("evaljobs")
@ShortNames("ej")
@AdditionalPrinterColumn(
        name = "State",
        jsonPath = ".status.state",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Task",
        jsonPath = ".status.task",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Score",
        jsonPath = ".status.score",
        type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = ImmutableOnceStarted.EVAL_JOB_RULE, message = ImmutableOnceStarted.MESSAGE)
public class EvalJob extends CustomResource<EvalJobSpec, EvalJobStatus> implements Namespaced {}
