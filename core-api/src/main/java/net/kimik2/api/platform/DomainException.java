package net.kimik2.api.platform;

/** Thrown by handlers for an expected business failure; the API layer maps its {@link DomainError} to a typed result. */
public class DomainException extends RuntimeException {

    private final DomainError error;

    public DomainException(ErrorCode code, String field, String message) {
        this(new DomainError(code, field, message));
    }

    public DomainException(DomainError error) {
        super(error.code() + (error.field() == null ? "" : " [" + error.field() + "]") + ": " + error.message(), null, false, false);
        this.error = error;
    }

    public DomainError error() {
        return error;
    }

    public static DomainException validation(String field, String message) {
        return new DomainException(ErrorCode.VALIDATION_FAILED, field, message);
    }
}
