package net.kimik2.api.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DomainExceptionTest {

    @Test
    void carriesItsDomainError() {
        DomainError error = DomainError.of(ErrorCode.ALREADY_TAKEN, "email", "email is already taken");
        DomainException e = new DomainException(error);
        assertThat(e.error()).isSameAs(error);
        assertThat(e.getMessage()).isEqualTo("ALREADY_TAKEN [email]: email is already taken");
    }

    @Test
    void fieldlessErrorHasNoBracketsInItsMessage() {
        DomainException e = new DomainException(ErrorCode.INVALID_CREDENTIALS, null, "unknown user or wrong password");
        assertThat(e.error()).isEqualTo(new DomainError(ErrorCode.INVALID_CREDENTIALS, null, "unknown user or wrong password"));
        assertThat(e.getMessage()).isEqualTo("INVALID_CREDENTIALS: unknown user or wrong password");
    }

    @Test
    void validationFactoryUsesValidationFailed() {
        DomainException e = DomainException.validation("first", "bad");
        assertThat(e.error()).isEqualTo(new DomainError(ErrorCode.VALIDATION_FAILED, "first", "bad"));
    }

    @Test
    void hasNoStackTraceBecauseItIsAnExpectedOutcome() {
        // expected failures are frequent (bad input); filling stack traces would be wasted work
        assertThat(DomainException.validation("f", "m").getStackTrace()).isEmpty();
    }
}
