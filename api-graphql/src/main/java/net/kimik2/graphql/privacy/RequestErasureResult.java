package net.kimik2.graphql.privacy;

import net.kimik2.api.privacy.ErasureRequestView;

/**
 * The {@code RequestErasureResult} union of privacy.graphqls (requestErasure and adminRequestErasure). Each member's
 * Java simple name is its GraphQL type name (Spring for GraphQL's default type resolver).
 */
sealed interface RequestErasureResult {

    record ErasureRequested(ErasureRequestView request) implements RequestErasureResult {
    }

    record ValidationFailed(String field, String message) implements RequestErasureResult {
    }
}
