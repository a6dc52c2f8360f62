package io.kubetune.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.api.config.BaseConfigurationService;
import io.javaoperatorsdk.operator.api.config.ConfigurationService;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {

    private static Optional<LeaderElectionConfiguration> applied(boolean enabled, String ns) {
        LeaderElection le = new LeaderElection();
        le.enabled = enabled;
        le.namespace = Optional.ofNullable(ns);
        return ConfigurationService.newOverriddenConfigurationService(
                        new BaseConfigurationService(), le.overrider())
                .getLeaderElectionConfiguration();
    }

    @Test
    void enabledUsesALeaseInThePodsNamespace() {
        LeaderElectionConfiguration c = applied(true, "kubetune-system").orElseThrow();

        assertThat(c.getLeaseName()).isEqualTo("kubetune-operator-lease");
        assertThat(c.getLeaseNamespace()).contains("kubetune-system");
    }

    @Test
    void disabledLeavesItOff() {
        assertThat(applied(false, "kubetune-system")).isEmpty();
    }
}
