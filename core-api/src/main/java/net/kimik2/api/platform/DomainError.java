package net.kimik2.api.platform;

/**
 * The serializable description of an expected failure: what travels as the details of Axon's
 * {@code CommandExecutionException}/{@code QueryExecutionException}, so it survives a distributed bus.
 * Never carries a personal value: {@code field} names an input field and {@code message} is fixed text.
 */
public record DomainError(ErrorCode code, String field, String message) {

    public static DomainError of(ErrorCode code, String field, String message) {
        return new DomainError(code, field, message);
    }
}
