package net.kimik2.axon.platform;

import org.axonframework.config.ConfigurerModule;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code axonserver} profile starts while Axon Server is unreachable (ADR 0024). Axon 4.13's pooled streaming
 * processor initialises its token segments inside {@code start()} and asks the event source for the tail token to do
 * so; against an unreachable Axon Server that call fails, start retries it 30 times and then fails the whole
 * application. A null initial token is the same position (the first event) without asking the server, so the
 * processor starts and opens its stream in the background once the server answers, as the tracking processors do.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "axon.axonserver.enabled", havingValue = "true")
public class AxonServerStartConfiguration {

    @Bean
    ConfigurerModule pooledProcessorsStartWithoutTheServer() {
        return configurer -> configurer.eventProcessing(processing -> processing
                .registerPooledStreamingEventProcessorConfiguration(
                        (configuration, builder) -> builder.initialToken(source -> null)));
    }
}
