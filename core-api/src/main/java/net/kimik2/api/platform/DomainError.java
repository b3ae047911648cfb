package net.kimik2.api.platform;

import java.util.Map;

/**
 * The serializable description of an expected failure: what travels as the details of Axon's
 * {@code CommandExecutionException}/{@code QueryExecutionException}, so it survives a distributed bus.
 * Never carries a personal value: {@code field} names an input field, {@code message} is fixed text and
 * {@code amounts} holds numbers a typed result needs (e.g. {@code available}, {@code required} credits).
 */
public record DomainError(ErrorCode code, String field, String message, Map<String, Long> amounts) {

    public DomainError {
        amounts = amounts == null ? Map.of() : Map.copyOf(amounts);
    }

    public DomainError(ErrorCode code, String field, String message) {
        this(code, field, message, Map.of());
    }

    public static DomainError of(ErrorCode code, String field, String message) {
        return new DomainError(code, field, message);
    }

    public long amount(String name) {
        Long value = amounts.get(name);
        return value == null ? 0L : value;
    }
}
