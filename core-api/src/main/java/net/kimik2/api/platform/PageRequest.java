package net.kimik2.api.platform;

/** Cursor pagination arguments after validation: {@code first} within 1..{@link #MAX_FIRST}. */
public record PageRequest(int first, String after) {

    public static final int DEFAULT_FIRST = 20;
    public static final int MAX_FIRST = 100;

    public PageRequest {
        if (first < 1 || first > MAX_FIRST) {
            throw DomainException.validation("first", "first must be between 1 and " + MAX_FIRST);
        }
    }

    public static PageRequest of(Integer first, String after) {
        return new PageRequest(first == null ? DEFAULT_FIRST : first, after);
    }
}
