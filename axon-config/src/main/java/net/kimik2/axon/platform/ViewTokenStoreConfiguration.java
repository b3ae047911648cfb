package net.kimik2.axon.platform;

import com.mongodb.client.MongoClient;
import java.time.Duration;
import java.util.List;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.extensions.mongo.DefaultMongoTemplate;
import org.axonframework.extensions.mongo.eventsourcing.tokenstore.MongoTokenStore;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The processors that build MongoDB views keep their tracking tokens in MongoDB beside the views, stored after the
 * batch's views are written: a crash can then only lose the newest suffix of both together, never leave a token
 * ahead of its views. Processors that issue commands (policies) keep theirs in the event store's database, in the
 * same transaction as the commands' events.
 *
 * <p>View processors get no transaction manager: with one, a tracking processor stores the token when a batch
 * starts, counting on the transaction to undo it, and no transaction reaches MongoDB. A hard kill during the batch
 * then lost its view documents for good (after a halt, the admin's account view, so the admin could not sign in),
 * and a failed batch was skipped instead of retried.
 */
@Configuration(proxyBeanMethods = false)
public class ViewTokenStoreConfiguration {

    @Bean
    ConfigurerModule viewTokenStores(MongoClient mongoClient,
                                     @Value("${spring.data.mongodb.database:kimi}") String database,
                                     @Value("${kimi.processing.view-processors:}") List<String> viewProcessors,
                                     Serializer serializer, NodeIdentity node) {
        return configurer -> configurer.eventProcessing(processing -> {
            var store = new java.util.concurrent.atomic.AtomicReference<TokenStore>();
            for (String processor : viewProcessors) {
                processing.registerTransactionManager(processor, config -> NoTransactionManager.instance());
                processing.registerTokenStore(processor, config -> store.updateAndGet(existing -> existing != null
                        ? existing
                        : tokenStore(mongoClient, database, serializer, node)));
            }
        });
    }

    /**
     * The builder does not create the token collection's unique index on (processorName, segment), and nothing else
     * does: without it two nodes starting at once on one MongoDB could both insert a segment's token, since the
     * store relies on a duplicate-key error to tell that another node won. Created here, at start, on any MongoDB.
     */
    private static MongoTokenStore tokenStore(MongoClient mongoClient, String database, Serializer serializer,
                                              NodeIdentity node) {
        MongoTokenStore tokens = MongoTokenStore.builder()
                .mongoTemplate(DefaultMongoTemplate.builder()
                        .mongoDatabase(mongoClient, database)
                        .build()
                        .withTrackingTokenCollection("view_tokens"))
                .serializer(serializer)
                // a segment's owner is this node; another node takes it over once its claim is older than the
                // timeout (a killed node's views go on, ADR 0025)
                .nodeId(node.id())
                .claimTimeout(Duration.ofSeconds(10))
                .build();
        tokens.ensureIndexes();
        return tokens;
    }
}
