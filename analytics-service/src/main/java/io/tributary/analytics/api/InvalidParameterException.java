package io.tributary.analytics.api;

/** A request parameter out of its bounds (400 {@code invalid-request} naming the parameter in {@code field}). */
public class InvalidParameterException extends RuntimeException {

    private final String field;

    public InvalidParameterException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /**
     * A page request whose offset ({@code page × size}) fits in an int, as the database query
     * needs; {@code page} below 0 and {@code size} outside {@code [1, maxSize]} are brought in.
     */
    public static org.springframework.data.domain.PageRequest page(int page, int size, int maxSize,
                                                                   org.springframework.data.domain.Sort sort) {
        int boundedPage = Math.max(0, page);
        int boundedSize = Math.min(Math.max(1, size), maxSize);
        if ((long) boundedPage * boundedSize > Integer.MAX_VALUE) {
            throw new InvalidParameterException("page", "page × size must be at most " + Integer.MAX_VALUE
                    + "; was " + boundedPage + " × " + boundedSize);
        }
        return org.springframework.data.domain.PageRequest.of(boundedPage, boundedSize, sort);
    }
}
