package net.kimik2.graphql.platform.schema;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.ExecutionInput;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.graphql.GraphQlSourceBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Parsed and validated documents by their text, so that the same operation sent again (clients send a handful of
 * operations over and over) is not parsed and validated again: that was 16 % of a {@code me} request's CPU in the
 * issue 11 profile. The result of validation is cached with the document, errors included, so an invalid document
 * stays invalid. The depth and complexity limits run when the operation executes, so they apply to cached
 * documents too; a check added later must be a validation rule or run at execution for the same reason.
 * Bounded in entries and in the length of a cached document, so unique documents from a client cannot grow it.
 */
@Configuration(proxyBeanMethods = false)
class GraphQlDocumentCache {

    @Bean
    GraphQlSourceBuilderCustomizer preparsedDocuments(@Value("${kimi.graphql.document-cache.size:2000}") long size,
                                                      @Value("${kimi.graphql.document-cache.max-length:20000}")
                                                      int maxLength) {
        PreparsedDocumentProvider provider = new Provider(size, maxLength);
        return builder -> builder.configureGraphQl(graphQl -> graphQl.preparsedDocumentProvider(provider));
    }

    static final class Provider implements PreparsedDocumentProvider {

        private final Cache<String, PreparsedDocumentEntry> documents;
        private final int maxLength;

        Provider(long size, int maxLength) {
            this.documents = Caffeine.newBuilder().maximumSize(size).build();
            this.maxLength = maxLength;
        }

        @Override
        public CompletableFuture<PreparsedDocumentEntry> getDocumentAsync(
                ExecutionInput input, Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate) {
            String query = input.getQuery();
            if (query == null || query.length() > maxLength) {
                return CompletableFuture.completedFuture(parseAndValidate.apply(input));
            }
            return CompletableFuture.completedFuture(documents.get(query, q -> parseAndValidate.apply(input)));
        }
    }
}
