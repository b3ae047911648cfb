package net.kimik2.command.credits;

import java.time.Duration;
import net.kimik2.axon.platform.CaffeineAggregateCache;
import org.axonframework.common.caching.Cache;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.eventsourcing.Snapshotter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class CreditsConfiguration {

    static final String LEDGER_SNAPSHOT_TRIGGER = "creditLedgerSnapshotTrigger";
    static final String LEDGER_CACHE = "creditLedgerCache";

    /**
     * Every prompt touches its user's ledger two or three times; a cached ledger is used as is instead of being
     * rebuilt from its snapshot and newest events each time. Ledgers hold no personal data.
     */
    @Bean(LEDGER_CACHE)
    Cache creditLedgerCache(@Value("${kimi.cache.ledgers.size:20000}") long size,
                            @Value("${kimi.cache.ledgers.idle:PT30M}") Duration idle) {
        return new CaffeineAggregateCache(size, idle);
    }

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
