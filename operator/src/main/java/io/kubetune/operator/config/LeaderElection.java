package io.kubetune.operator.config;

import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkiverse.operatorsdk.runtime.api.ConfigurationServiceCustomizer;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Leader election, switched on at run time by {@code kubetune.leader-election.enabled}
 * (KUBETUNE_LEADER_ELECTION_ENABLED; the chart sets it with more than one replica): a Lease named
 * {@value #LEASE} in POD_NAMESPACE. Off by default so that dev mode and tests run without a Lease.
 */
@Singleton
public class LeaderElection implements ConfigurationServiceCustomizer {
    public static final String LEASE = "kubetune-operator-lease";

    @ConfigProperty(name = "kubetune.leader-election.enabled", defaultValue = "false")
    boolean enabled;

    @ConfigProperty(name = "kubetune.leader-election.namespace")
    Optional<String> namespace;

    @Override
    public Consumer<ConfigurationServiceOverrider> overrider() {
        return o -> {
            if (enabled) {
                o.withLeaderElectionConfiguration(
                        new LeaderElectionConfiguration(LEASE, namespace.orElse(null)));
            }
        };
    }
}
