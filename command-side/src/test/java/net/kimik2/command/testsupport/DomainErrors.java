package net.kimik2.command.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;

public final class DomainErrors {

    private DomainErrors() {
    }

    /** Asserts that {@code thrown} is a DomainException with the given code and field, and returns its error. */
    public static DomainError assertDomainError(Object thrown, ErrorCode code, String field) {
        assertThat(thrown).isInstanceOf(DomainException.class);
        DomainError error = ((DomainException) thrown).error();
        assertThat(error.code()).as("error code of %s", error).isEqualTo(code);
        assertThat(error.field()).as("field of %s", error).isEqualTo(field);
        return error;
    }
}
