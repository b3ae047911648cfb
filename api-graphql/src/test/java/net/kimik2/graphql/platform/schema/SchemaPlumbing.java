package net.kimik2.graphql.platform.schema;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;

/**
 * The schema plumbing the {@code @GraphQlTest} slice does not pick up by itself (configuration classes and the
 * subscription error handler): scalars, limits, the document cache and the subscription error mapping, as the
 * application has them.
 */
@TestConfiguration(proxyBeanMethods = false)
@Import({Scalars.class, GraphQlLimits.class, GraphQlDocumentCache.class, SubscriptionErrorHandler.class, ViewWaiter.class})
public class SchemaPlumbing {
}
