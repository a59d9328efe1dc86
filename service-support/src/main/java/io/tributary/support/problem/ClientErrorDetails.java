package io.tributary.support.problem;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.springframework.beans.TypeMismatchException;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.BindingResult;
import org.springframework.validation.FieldError;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import tools.jackson.core.JacksonException;

/**
 * What a caller is told about a request Spring MVC refused: the field or parameter and what is wrong with it, in the
 * caller's terms. The exceptions' own messages are for logs: they name handler methods, classes and packages
 * ({@code Validation failed for argument [1] in io.tributary...replace(java.lang.String, ...)}), which an answer must
 * not show; whatever message is passed on has qualified class names cut to their simple name.
 */
final class ClientErrorDetails {

    /** {@code io.tributary.x.Type$Inner} or {@code java.lang.String}: a qualified class name. */
    private static final Pattern QUALIFIED = Pattern.compile("\\b(?:[a-z_][a-z0-9_]*\\.){2,}([A-Z][\\w$]*)");

    private ClientErrorDetails() {
    }

    /** One line per bad field of a bound body ({@code field}, {@code message}), object-level errors under "". */
    static List<Map<String, String>> fieldErrors(BindingResult result) {
        List<Map<String, String>> errors = new ArrayList<>();
        for (var error : result.getAllErrors()) {
            String field = error instanceof FieldError f ? f.getField() : "";
            errors.add(Map.of("field", field, "message", String.valueOf(error.getDefaultMessage())));
        }
        return errors;
    }

    /** {@code "deadLetter: must not be blank; name: must not be blank"}. */
    static String describe(List<Map<String, String>> errors) {
        if (errors.isEmpty()) {
            return "invalid request";
        }
        return String.join("; ", errors.stream().map(e -> e.get("field").isEmpty() ? e.get("message")
                : e.get("field") + ": " + e.get("message")).toList());
    }

    /** The detail for an exception Spring MVC raised for the caller's request. */
    static String detail(Exception ex, String fallback) {
        if (ex instanceof HandlerMethodValidationException validation) {
            List<String> parts = new ArrayList<>();
            validation.getParameterValidationResults().forEach(result -> {
                String name = result.getMethodParameter().getParameterName();
                result.getResolvableErrors().forEach(e -> parts.add((name == null ? "parameter" : name) + ": "
                        + e.getDefaultMessage()));
            });
            return parts.isEmpty() ? fallback : String.join("; ", parts);
        }
        if (ex instanceof TypeMismatchException mismatch) {
            Class<?> type = mismatch.getRequiredType();
            return "'" + mismatch.getPropertyName() + "' must be " + (type == null ? "of another type"
                    : "a value of type " + type.getSimpleName()) + ", got '" + abbreviate(mismatch.getValue()) + "'";
        }
        if (ex instanceof HttpMessageNotReadableException unreadable) {
            for (Throwable cause = unreadable.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof JacksonException json) {
                    String at = json.getPath().isEmpty() ? "" : " at '" + path(json.getPath()) + "'";
                    return "the body could not be read" + at + ": " + withoutClassNames(json.getOriginalMessage());
                }
            }
            return "the body is missing or could not be read";
        }
        return withoutClassNames(fallback);
    }

    /** The message with every qualified class name cut to its simple name. */
    static String withoutClassNames(String message) {
        return message == null ? null : QUALIFIED.matcher(message).replaceAll(m -> m.group(1).replace('$', '.'));
    }

    private static String path(List<JacksonException.Reference> references) {
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference r : references) {
            if (r.getPropertyName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                out.append('[').append(r.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String abbreviate(Object value) {
        String s = String.valueOf(value);
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
