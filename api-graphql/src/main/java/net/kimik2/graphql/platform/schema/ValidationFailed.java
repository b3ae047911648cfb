package net.kimik2.graphql.platform.schema;

import net.kimik2.api.platform.DomainError;

/** GraphQL union member: the input was rejected. */
public record ValidationFailed(String field, String message) {

    public static ValidationFailed of(DomainError error) {
        return new ValidationFailed(error.field(), error.message());
    }
}
