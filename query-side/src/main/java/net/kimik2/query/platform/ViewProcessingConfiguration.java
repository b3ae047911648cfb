package net.kimik2.query.platform;

import java.util.List;
import org.axonframework.config.ConfigurerModule;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.MongoTemplate;

/** Registers the batch flush on every view processor named in {@code kimi.processing.view-processors}. */
@Configuration(proxyBeanMethods = false)
public class ViewProcessingConfiguration {

    @Bean
    ViewTargets viewTargets() {
        return new ViewTargets();
    }

    @Bean
    ConfigurerModule viewBatchFlush(MongoTemplate mongo, ViewTargets targets,
                                    @Value("${kimi.processing.view-processors:}") List<String> viewProcessors) {
        return configurer -> configurer.eventProcessing(processing -> viewProcessors.forEach(name -> processing
                .registerHandlerInterceptor(name, config -> new ViewBatchInterceptor(mongo, name, targets))));
    }
}
