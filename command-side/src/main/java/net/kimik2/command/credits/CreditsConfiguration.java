package net.kimik2.command.credits;

import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class CreditsConfiguration {

    static final String LEDGER_SNAPSHOT_TRIGGER = "creditLedgerSnapshotTrigger";
    /** The bean of axon-config's AggregateCacheConfiguration. */
    static final String LEDGER_CACHE = "creditLedgerCache";

    /**
     * A busy ledger gets several events per prompt (hold, release, capture); without snapshots every command would
     * re-read its whole history.
     */
    @Bean(LEDGER_SNAPSHOT_TRIGGER)
    SnapshotTriggerDefinition creditLedgerSnapshotTrigger(Snapshotter snapshotter,
            @Value("${kimi.credits.snapshot-every:100}") int threshold) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, threshold);
    }
}
