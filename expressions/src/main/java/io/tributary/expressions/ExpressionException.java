package io.tributary.expressions;

/**
 * An expression that cannot be compiled (syntax, a forbidden construct, too long) or that failed
 * while being evaluated against a record (a refused method, a type mismatch, a non-boolean
 * predicate). The message is meant for the user who wrote the expression.
 */
public class ExpressionException extends RuntimeException {

    public ExpressionException(String message) {
        super(message);
    }

    public ExpressionException(String message, Throwable cause) {
        super(message, cause);
    }
}
