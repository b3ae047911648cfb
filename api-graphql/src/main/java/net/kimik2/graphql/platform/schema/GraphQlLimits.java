package net.kimik2.graphql.platform.schema;

import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Rejects over-deep or over-complex operations, and more than one credential mutation, before they run. */
@Configuration(proxyBeanMethods = false)
class GraphQlLimits {

    @Bean
    MaxQueryDepthInstrumentation maxQueryDepth(@Value("${kimi.graphql.max-depth:12}") int maxDepth) {
        return new MaxQueryDepthInstrumentation(maxDepth);
    }

    @Bean
    CredentialMutationLimit credentialMutationLimit(
            @Value("${kimi.security.credential-mutations:login,register}") java.util.Set<String> fields) {
        return new CredentialMutationLimit(fields);
    }

    @Bean
    MaxQueryComplexityInstrumentation maxQueryComplexity(@Value("${kimi.graphql.max-complexity:500}") int max) {
        return new MaxQueryComplexityInstrumentation(max);
    }
}
