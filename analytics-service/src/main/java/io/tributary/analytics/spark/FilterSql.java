package io.tributary.analytics.spark;

import java.util.ArrayList;
import java.util.List;

import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.BooleanLiteral;
import org.springframework.expression.spel.ast.CompoundExpression;
import org.springframework.expression.spel.ast.Indexer;
import org.springframework.expression.spel.ast.IntLiteral;
import org.springframework.expression.spel.ast.Literal;
import org.springframework.expression.spel.ast.LongLiteral;
import org.springframework.expression.spel.ast.NullLiteral;
import org.springframework.expression.spel.ast.OpAnd;
import org.springframework.expression.spel.ast.OpDivide;
import org.springframework.expression.spel.ast.OpEQ;
import org.springframework.expression.spel.ast.OpGE;
import org.springframework.expression.spel.ast.OpGT;
import org.springframework.expression.spel.ast.OpLE;
import org.springframework.expression.spel.ast.OpLT;
import org.springframework.expression.spel.ast.OpMinus;
import org.springframework.expression.spel.ast.OpModulus;
import org.springframework.expression.spel.ast.OpMultiply;
import org.springframework.expression.spel.ast.OpNE;
import org.springframework.expression.spel.ast.OpOr;
import org.springframework.expression.spel.ast.OpPlus;
import org.springframework.expression.spel.ast.OperatorNot;
import org.springframework.expression.spel.ast.PropertyOrFieldReference;
import org.springframework.expression.spel.ast.RealLiteral;
import org.springframework.expression.spel.ast.StringLiteral;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * Translates a job's filter (the sandbox's SpEL: fields of the record, literals, comparisons, {@code and},
 * {@code or}, {@code !}, arithmetic) into a Spark SQL boolean over the record's variant {@code _v}, with the
 * builtin engine's meaning:
 * <ul>
 *   <li>a field compared with a number is read as a number, with a string as text, with a boolean as a
 *       boolean; two fields compared with each other as text; a field on its own is a boolean;</li>
 *   <li>{@code null} (a missing field) equals only {@code null} and is smaller than any value, as SpEL orders
 *       it ({@code amount < 10} holds for a record without {@code amount});</li>
 *   <li>a filter that fails on a record (SpEL throws) skips it: the translation answers NULL there and the
 *       whole filter is {@code coalesce(..., false)}.</li>
 * </ul>
 * Anything else (method calls, {@code matches}, {@code ?:}, selections, variables, ...) has no translation and
 * is refused with {@link Untranslatable}, naming it.
 */
final class FilterSql {

    private static final SpelExpressionParser PARSER = new SpelExpressionParser();

    /** What an operand is, for choosing how a field next to it is read. */
    private enum Kind { NUMBER, STRING, BOOLEAN, NULL, FIELD }

    private final FieldSql fields;

    private FilterSql(FieldSql fields) {
        this.fields = fields;
    }

    static String translate(String filter, FieldSql fields) {
        SpelNode root = ((SpelExpression) PARSER.parseExpression(filter)).getAST();
        return "coalesce(" + new FilterSql(fields).bool(root) + ", false)";
    }

    /** A construct of a definition that the Spark engine cannot run. */
    static final class Untranslatable extends RuntimeException {
        Untranslatable(String message) {
            super(message);
        }
    }

    private String bool(SpelNode node) {
        if (node instanceof OpAnd) {
            return "(" + bool(node.getChild(0)) + " AND " + bool(node.getChild(1)) + ")";
        }
        if (node instanceof OpOr) {
            return "(" + bool(node.getChild(0)) + " OR " + bool(node.getChild(1)) + ")";
        }
        if (node instanceof OperatorNot) {
            return "(NOT " + bool(node.getChild(0)) + ")";
        }
        if (node instanceof BooleanLiteral) {
            return Boolean.TRUE.equals(((BooleanLiteral) node).getLiteralValue().getValue()) ? "true" : "false";
        }
        if ((node instanceof OpEQ || node instanceof OpNE) && nullTest(node) != null) {
            // any value, an object too, is not null: read the field as a variant (SQL NULL when missing)
            String value = fields.typed(field(nullTest(node)), "variant");
            String isNull = "(" + value + " IS NULL OR is_variant_null(" + value + "))";
            return node instanceof OpEQ ? isNull : "(NOT " + isNull + ")";
        }
        if (node instanceof OpEQ || node instanceof OpNE) {
            String[] sides = operands(node);
            String same = "(" + sides[0] + " <=> " + sides[1] + ")";
            return node instanceof OpEQ ? same : "(NOT " + same + ")";
        }
        if (node instanceof OpLT || node instanceof OpLE || node instanceof OpGT || node instanceof OpGE) {
            String[] sides = operands(node);
            String op = node instanceof OpLT ? "<" : node instanceof OpLE ? "<=" : node instanceof OpGT ? ">" : ">=";
            // SpEL orders null below every value
            boolean nullsEqual = op.length() == 2;
            boolean leftNullSmaller = op.startsWith("<");
            return "(CASE WHEN " + sides[0] + " IS NULL AND " + sides[1] + " IS NULL THEN " + nullsEqual
                    + " WHEN " + sides[0] + " IS NULL THEN " + leftNullSmaller + " WHEN " + sides[1] + " IS NULL THEN "
                    + !leftNullSmaller + " ELSE " + sides[0] + " " + op + " " + sides[1] + " END)";
        }
        List<String> field = field(node);
        if (field != null) {
            return fields.typed(field, "boolean");
        }
        throw untranslatable(node);
    }

    /** The field side of {@code field == null} (either way round); null for any other comparison. */
    private SpelNode nullTest(SpelNode comparison) {
        SpelNode left = comparison.getChild(0);
        SpelNode right = comparison.getChild(1);
        if (right instanceof NullLiteral && kind(left) == Kind.FIELD) {
            return left;
        }
        return left instanceof NullLiteral && kind(right) == Kind.FIELD ? right : null;
    }

    /** Both sides of a comparison, each read as the other side's kind asks. */
    private String[] operands(SpelNode comparison) {
        SpelNode left = comparison.getChild(0);
        SpelNode right = comparison.getChild(1);
        Kind leftKind = kind(left);
        Kind rightKind = kind(right);
        Kind as = leftKind == Kind.FIELD ? rightKind : leftKind;
        if (as == Kind.FIELD || as == Kind.NULL) {
            as = Kind.STRING;
        }
        return new String[] {value(left, as), value(right, as)};
    }

    private Kind kind(SpelNode node) {
        if (node instanceof StringLiteral) {
            return Kind.STRING;
        }
        if (node instanceof NullLiteral) {
            return Kind.NULL;
        }
        if (node instanceof BooleanLiteral || node instanceof OpAnd || node instanceof OpOr
                || node instanceof OperatorNot || node instanceof OpEQ || node instanceof OpNE || node instanceof OpLT
                || node instanceof OpLE || node instanceof OpGT || node instanceof OpGE) {
            return Kind.BOOLEAN;
        }
        if (node instanceof Literal || arithmetic(node)) {
            return Kind.NUMBER;
        }
        if (field(node) != null) {
            return Kind.FIELD;
        }
        throw untranslatable(node);
    }

    private String value(SpelNode node, Kind as) {
        return switch (kind(node)) {
            case STRING -> FieldSql.literal((String) ((StringLiteral) node).getLiteralValue().getValue());
            case NULL -> "NULL";
            case BOOLEAN -> bool(node);
            case NUMBER -> number(node);
            case FIELD -> fields.typed(field(node), switch (as) {
                case NUMBER -> "double";
                case BOOLEAN -> "boolean";
                default -> "string";
            });
        };
    }

    private String number(SpelNode node) {
        if (node instanceof IntLiteral || node instanceof LongLiteral || node instanceof RealLiteral
                || node instanceof org.springframework.expression.spel.ast.FloatLiteral) {
            return "CAST(" + ((Literal) node).getLiteralValue().getValue() + " AS DOUBLE)";
        }
        if (node instanceof Literal) { // hex and other literal forms: not worth a translation
            throw untranslatable(node);
        }
        if (node instanceof OpMinus && node.getChildCount() == 1) {
            return "(-" + operand(node.getChild(0)) + ")";
        }
        String op = node instanceof OpPlus ? "+" : node instanceof OpMinus ? "-" : node instanceof OpMultiply ? "*"
                : node instanceof OpDivide ? "/" : "%";
        if (node instanceof OpPlus && (kind(node.getChild(0)) == Kind.STRING || kind(node.getChild(1)) == Kind.STRING)) {
            throw new Untranslatable("'" + node.toStringAST() + "' joins text with '+', which has no translation");
        }
        return "(" + operand(node.getChild(0)) + " " + op + " " + operand(node.getChild(1)) + ")";
    }

    /** An operand of arithmetic: a number, or a field read as one. */
    private String operand(SpelNode node) {
        Kind kind = kind(node);
        if (kind == Kind.FIELD) {
            return fields.typed(field(node), "double");
        }
        if (kind != Kind.NUMBER) {
            throw new Untranslatable("'" + node.toStringAST() + "' is not a number, which arithmetic needs");
        }
        return number(node);
    }

    private static boolean arithmetic(SpelNode node) {
        return node instanceof OpPlus || node instanceof OpMinus || node instanceof OpMultiply
                || node instanceof OpDivide || node instanceof OpModulus;
    }

    /** The field a node reads ({@code customer.country}, {@code ['first name']}), or null when it reads none. */
    private static List<String> field(SpelNode node) {
        List<String> path = new ArrayList<>();
        if (node instanceof CompoundExpression) {
            for (int i = 0; i < node.getChildCount(); i++) {
                if (!segment(node.getChild(i), path)) {
                    return null;
                }
            }
            return path;
        }
        return segment(node, path) ? path : null;
    }

    private static boolean segment(SpelNode node, List<String> path) {
        if (node instanceof PropertyOrFieldReference reference) {
            path.add(reference.getName());
            return true;
        }
        if (node instanceof Indexer && node.getChildCount() == 1) {
            SpelNode index = node.getChild(0);
            if (index instanceof StringLiteral text) {
                path.add((String) text.getLiteralValue().getValue());
                return true;
            }
            if (index instanceof IntLiteral number) {
                path.add(String.valueOf(number.getLiteralValue().getValue()));
                return true;
            }
        }
        return false;
    }

    private static Untranslatable untranslatable(SpelNode node) {
        if (node instanceof CompoundExpression) { // a path with a step that is no field: name that step
            for (int i = 0; i < node.getChildCount(); i++) {
                SpelNode step = node.getChild(i);
                if (!(step instanceof PropertyOrFieldReference) && !(step instanceof Indexer)) {
                    return untranslatable(step);
                }
            }
        }
        return new Untranslatable("'" + node.toStringAST() + "' (" + describe(node) + ", at character "
                + (node.getStartPosition() + 1) + ") has no Spark SQL translation");
    }

    private static String describe(SpelNode node) {
        String type = node.getClass().getSimpleName();
        return switch (type) {
            case "MethodReference" -> "a method call";
            case "OperatorMatches" -> "a regular expression match";
            case "OperatorBetween" -> "'between'";
            case "OperatorInstanceof" -> "'instanceof'";
            case "Ternary" -> "a conditional";
            case "Elvis" -> "'?:'";
            case "VariableReference" -> "a variable";
            case "Selection", "Projection" -> "a selection or projection";
            case "InlineList", "InlineMap" -> "a literal list or map";
            default -> type;
        };
    }
}
