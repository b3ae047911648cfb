package net.kimik2.axon.platform;

import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.common.caching.Cache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What lets several service processes share one event store (ADR 0025): the node's identity, the signal bus between
 * nodes (PostgreSQL LISTEN/NOTIFY when the event store is PostgreSQL, nothing on the embedded default), aggregate
 * caches kept current across nodes, and commands retried when another node appended to the same aggregate first.
 */
@Configuration(proxyBeanMethods = false)
public class NodeConfiguration {

    private static final Logger log = LoggerFactory.getLogger(NodeConfiguration.class);
    static final String AGGREGATE_TOPIC = "aggregate";

    @Bean
    NodeIdentity nodeIdentity(@Value("${kimi.node-id:}") String id) {
        NodeIdentity identity = new NodeIdentity(id);
        log.info("node id: {}", identity.id());
        return identity;
    }

    @Bean
    NodeSignals nodeSignals(@Value("${spring.datasource.url:}") String url,
                            @Value("${spring.datasource.username:}") String user,
                            @Value("${spring.datasource.password:}") String password, NodeIdentity node) {
        if (url.startsWith("jdbc:postgresql:")) {
            log.info("node signals: PostgreSQL LISTEN/NOTIFY");
            return new PostgresNodeSignals(url, user, password, node.id());
        }
        return NodeSignals.NONE;
    }

    /** Axon's gateway, with lost append races retried (other failures are answers and are not). */
    @Bean(destroyMethod = "")
    CommandGateway commandGateway(CommandBus commandBus,
                                  @Value("${kimi.commands.max-concurrency-retries:5}") int maxRetries,
                                  ObjectProvider<MeterRegistry> meters) {
        Counter retried = Counter.builder("kimi.commands.concurrency.retries")
                .description("commands retried after another node appended to their aggregate first")
                .register(meters.getIfAvailable(SimpleMeterRegistry::new));
        ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "command-retry");
            t.setDaemon(true);
            return t;
        });
        return DefaultCommandGateway.builder().commandBus(commandBus)
                .retryScheduler(new ConcurrencyRetryScheduler(retries, maxRetries, retried::increment)).build();
    }

    /**
     * A node's cached aggregate goes stale when another node changes it: every cache write (after a command changed
     * the aggregate) tells the other nodes to drop their copy, after the commit. A stale copy the signal has not yet
     * reached is caught by the append race (retried above); the signal keeps refusals from being made on old state.
     */
    @Bean
    SmartInitializingSingleton aggregateCacheSignals(Map<String, Cache> caches, NodeSignals signals) {
        return () -> {
            if (!signals.distributed()) {
                return;
            }
            caches.forEach((name, cache) -> cache.registerCacheEntryListener(new Cache.EntryListenerAdapter() {
                @Override
                public void onEntryCreated(Object key, Object value) {
                    signals.publish(AGGREGATE_TOPIC, name + "|" + key);
                }

                @Override
                public void onEntryUpdated(Object key, Object value) {
                    signals.publish(AGGREGATE_TOPIC, name + "|" + key);
                }
            }));
            signals.subscribe(AGGREGATE_TOPIC, body -> {
                int bar = body.indexOf('|');
                Cache cache = bar < 0 ? null : caches.get(body.substring(0, bar));
                if (cache != null) {
                    cache.remove(body.substring(bar + 1));
                }
            });
            signals.onGap(() -> caches.values().forEach(Cache::removeAll));
        };
    }
}
