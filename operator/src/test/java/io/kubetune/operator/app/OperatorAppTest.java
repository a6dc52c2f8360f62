package io.kubetune.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.operator.config.OperatorSettings;
import io.kubetune.operator.metrics.OperatorMetrics;
import io.quarkiverse.operatorsdk.runtime.QuarkusConfigurationService;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The Quarkus application's wiring: settings from configuration, health and metrics endpoints. */
@QuarkusTest
class OperatorAppTest {

    @Inject OperatorSettings settings;
    @Inject OperatorMetrics metrics;
    @Inject QuarkusConfigurationService configuration;

    @TestHTTPResource("/q/health/live")
    URI live;

    @TestHTTPResource("/q/metrics")
    URI prometheus;

    @Test
    void trainerImageDefaultsToTheProjectVersionAndServesGpuPodsToo() {
        assertThat(settings.trainerImage()).isEqualTo("kubetune/trainer:0.1.0-SNAPSHOT");
        assertThat(settings.imageFor(1)).isEqualTo(settings.trainerImage());
    }

    @Test
    void leaderElectionIsOffByDefault() {
        assertThat(configuration.getLeaderElectionConfiguration()).isEmpty();
    }

    @Test
    void livenessAndPrometheusMetricsAreServed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health =
                http.send(
                        HttpRequest.newBuilder(live).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("UP");

        metrics.state("finetunejob", new ResourceID("a", "team-a"), JobState.Running);
        metrics.timeReconcile("finetunejob", () -> null);
        metrics.retried("finetunejob", "PodKilled");
        String body =
                http.send(
                                HttpRequest.newBuilder(prometheus).build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        assertThat(body)
                .contains("kubetune_jobs{kind=\"finetunejob\",state=\"Running\"} 1.0")
                .contains("kubetune_reconcile_duration_seconds")
                .contains("kubetune_reconcile_cpu_seconds")
                .contains("kubetune_reconcile_wait_seconds")
                .contains(
                        "kubetune_job_retries_total{kind=\"finetunejob\",reason=\"PodKilled\"} 1.0");
    }
}
