/**
 * The kubetune.io/v1alpha1 custom resources: {@link io.kubetune.api.v1alpha1.FineTuneJob} and
 * {@link io.kubetune.api.v1alpha1.EvalJob}.
 *
 * <p>Every field carries a {@code @JsonPropertyDescription}: the Fabric8 CRD generator turns it
 * into the field's description in the CRD, so {@code kubectl explain} shows it. Validation lives in
 * the schema (required fields, enums, bounds, patterns) and in CEL rules, so the API server rejects
 * a broken spec at {@code kubectl apply}.
 */
package io.kubetune.api.v1alpha1;
