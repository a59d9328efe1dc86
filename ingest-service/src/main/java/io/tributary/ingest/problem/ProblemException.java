package io.tributary.ingest.problem;

import java.util.Map;

import io.tributary.problem.ProblemType;

/**
 * A failure that already knows its problem type; other packages (groups) throw it, or a
 * subclass, instead of mapping their own exceptions here.
 */
public class ProblemException extends RuntimeException {

    private final ProblemType type;
    private final Map<String, Object> properties;

    public ProblemException(ProblemType type, String detail) {
        this(type, detail, Map.of());
    }

    public ProblemException(ProblemType type, String detail, Map<String, Object> properties) {
        super(detail);
        this.type = type;
        this.properties = properties;
    }

    public ProblemType type() {
        return type;
    }

    public Map<String, Object> properties() {
        return properties;
    }
}
