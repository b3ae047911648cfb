package net.kimik2.axon.platform;

import java.util.List;
import net.kimik2.api.platform.MetadataKeys;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.axonframework.messaging.correlation.MessageOriginProvider;
import org.axonframework.messaging.correlation.SimpleCorrelationDataProvider;
import org.axonframework.queryhandling.QueryBus;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class MessagingConfiguration {

    /** Correlation and causation ids, plus the actor, copied from every command onto the events it causes. */
    @Bean
    CorrelationDataProvider messageOriginProvider() {
        return new MessageOriginProvider();
    }

    @Bean
    CorrelationDataProvider actorCorrelationDataProvider() {
        return new SimpleCorrelationDataProvider(MetadataKeys.ACTOR_ID, MetadataKeys.ACTOR_ROLE,
                MetadataKeys.PRIVACY_CHOICES);
    }

    /** The API key a prompt was sent with, so that its answer is counted against the key's budget. */
    @Bean
    CorrelationDataProvider apiKeyCorrelationDataProvider() {
        return new SimpleCorrelationDataProvider(MetadataKeys.API_KEY_ID);
    }

    /**
     * A failing event handler fails its batch, which the processor retries with back-off, instead of the default
     * of logging and skipping the event: a view or an erasure step must never silently miss an event.
     */
    @Bean
    ConfigurerModule propagateHandlerErrors() {
        return configurer -> configurer.eventProcessing(processing -> processing
                .registerDefaultListenerInvocationErrorHandler(c -> PropagatingErrorHandler.instance()));
    }

    @Bean
    SmartInitializingSingleton domainErrorInterceptors(CommandBus commandBus, QueryBus queryBus) {
        return () -> {
            commandBus.registerHandlerInterceptor(DomainErrorInterceptor.forCommands());
            queryBus.registerHandlerInterceptor(DomainErrorInterceptor.forQueries());
        };
    }

}
