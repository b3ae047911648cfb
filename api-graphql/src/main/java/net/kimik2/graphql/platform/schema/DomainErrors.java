package net.kimik2.graphql.platform.schema;

import java.util.Optional;
import java.util.function.BiFunction;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import org.axonframework.messaging.HandlerExecutionException;

/** Finds the {@link DomainError} of an expected failure, however the bus wrapped it. */
public final class DomainErrors {

    private DomainErrors() {
    }

    /**
     * The {@code ValidationFailed} union member (made by {@code validationFailed} from the error's field and message)
     * for a failure that is a validation error; any other failure is rethrown for the exception handler.
     */
    public static <T> T validationFailedOrRethrow(RuntimeException failure,
                                                  BiFunction<String, String, T> validationFailed) {
        DomainError error = of(failure).orElseThrow(() -> failure);
        if (error.code() != ErrorCode.VALIDATION_FAILED) {
            throw failure;
        }
        return validationFailed.apply(error.field(), error.message());
    }

    /** What a caller is told when a bounded resource (a database pool) had no room in time: retry shortly. */
    static final DomainError OVERLOADED = new DomainError(ErrorCode.BUSY, null,
            "the service is busy, try again shortly", java.util.Map.of("retryAfterSeconds", 1L));

    public static Optional<DomainError> of(Throwable failure) {
        Throwable t = failure;
        for (int i = 0; t != null && i < 16; i++) {
            if (t instanceof java.sql.SQLTransientConnectionException) {
                // the pool's bounded wait ran out: load, not a fault of the request or the service
                return Optional.of(OVERLOADED);
            }
            if (t instanceof DomainException de) {
                return Optional.of(de.error());
            }
            if (t instanceof HandlerExecutionException hee) {
                Optional<Object> details = hee.getDetails();
                if (details.isPresent() && details.get() instanceof DomainError error) {
                    return Optional.of(error);
                }
            }
            t = t.getCause();
        }
        return Optional.empty();
    }
}
