package io.kubetune.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.operator.lifecycle.OperatorReasons;
import java.util.Locale;

/**
 * Why a reconcile could not carry out its action, as a reason and one line for the Reconciled
 * condition and its Warning event: the API server's own words (our server, not fetched content),
 * with what usually fixes it.
 */
final class ApiErrors {
    static final int MAX_MESSAGE = 512;

    private ApiErrors() {}

    record ApiError(String reason, String message) {}

    static ApiError classify(Exception e) {
        if (e instanceof ResourceConflictException) {
            return new ApiError(Reasons.RESOURCE_CONFLICT, cut(e.getMessage()));
        }
        KubernetesClientException k = cause(e);
        if (k == null) {
            return new ApiError(OperatorReasons.API_ERROR, cut(String.valueOf(e.getMessage())));
        }
        String said =
                k.getStatus() != null && k.getStatus().getMessage() != null
                        ? k.getStatus().getMessage()
                        : String.valueOf(k.getMessage());
        String lower = said.toLowerCase(Locale.ROOT);
        if (k.getCode() == 403
                && (lower.contains("exceeded quota") || lower.contains("for quota"))) {
            return new ApiError(
                    OperatorReasons.QUOTA_EXCEEDED,
                    cut(said + "; raise the namespace's ResourceQuota or lower spec.resources"));
        }
        if (lower.contains("admission webhook") || lower.contains("denied the request")) {
            return new ApiError(OperatorReasons.ADMISSION_REFUSED, cut(said));
        }
        if (k.getCode() == 403) {
            return new ApiError(
                    OperatorReasons.PERMISSION_DENIED,
                    cut(
                            said
                                    + "; grant the operator's service account this permission (chart"
                                    + " rbac.create, or the RBAC table of operator/README.md)"));
        }
        if (k.getCode() == 409) {
            return new ApiError(OperatorReasons.API_CONFLICT, cut(said));
        }
        return new ApiError(
                OperatorReasons.API_ERROR,
                cut("the API server answered " + k.getCode() + ": " + said));
    }

    private static KubernetesClientException cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k) {
                return k;
            }
        }
        return null;
    }

    private static String cut(String s) {
        String line = s.replace('\n', ' ');
        return line.length() <= MAX_MESSAGE ? line : line.substring(0, MAX_MESSAGE - 1) + "…";
    }
}
