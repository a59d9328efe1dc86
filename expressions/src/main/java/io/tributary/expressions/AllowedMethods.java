package io.tributary.expressions;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.core.convert.TypeDescriptor;
import org.springframework.expression.AccessException;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.MethodExecutor;
import org.springframework.expression.MethodResolver;
import org.springframework.expression.spel.support.DataBindingMethodResolver;

/**
 * The only methods an expression may call: a few side-effect-free instance methods of strings,
 * lists and maps (the values a JSON record turns into). Everything else resolves to nothing, so
 * SpEL refuses the call. Static methods and methods on {@code Class} are never reachable:
 * {@link DataBindingMethodResolver} resolves instance methods only and we check the target type
 * before delegating to it.
 */
final class AllowedMethods implements MethodResolver {

    static final Set<String> STRING_METHODS = Set.of("startsWith", "endsWith", "contains", "length", "isEmpty",
            "isBlank", "toLowerCase", "toUpperCase", "trim", "substring", "indexOf");
    static final Set<String> COLLECTION_METHODS = Set.of("size", "isEmpty", "contains", "containsKey");

    /** Every allowed method name, for the compile-time check. */
    static final Set<String> ALL_NAMES;

    static {
        java.util.Set<String> all = new java.util.HashSet<>(STRING_METHODS);
        all.addAll(COLLECTION_METHODS);
        ALL_NAMES = Set.copyOf(all);
    }

    private final MethodResolver delegate = DataBindingMethodResolver.forInstanceMethodInvocation();

    @Override
    public MethodExecutor resolve(EvaluationContext context, Object target, String name,
                                  List<TypeDescriptor> argumentTypes) throws AccessException {
        return allowed(target, name) ? delegate.resolve(context, target, name, argumentTypes) : null;
    }

    static boolean allowed(Object target, String name) {
        if (target instanceof String) {
            return STRING_METHODS.contains(name);
        }
        if (target instanceof Collection<?> || target instanceof Map<?, ?>) {
            return COLLECTION_METHODS.contains(name) && !(target instanceof Map<?, ?> && name.equals("contains"));
        }
        return false;
    }
}
