package io.tributary.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.tributary.client.internal.ProblemParser;

class ProblemParsingTest {

    private static String problem(String typeSuffix, int status, String extra) {
        return "{\"type\":\"https://tributary.dev/problems/" + typeSuffix + "\",\"title\":\"T\",\"status\":" + status
                + ",\"detail\":\"D\"" + extra + "}";
    }

    @Test
    void shouldCarryEveryProblemFieldIntoTheException() {
        IngestException e = ProblemParser.parse(409, problem("topic-exists", 409, ",\"retriable\":false"));

        assertThat(e.status()).isEqualTo(409);
        assertThat(e.type()).endsWith("topic-exists");
        assertThat(e.title()).isEqualTo("T");
        assertThat(e.detail()).isEqualTo("D");
        assertThat(e.retriable()).isFalse();
        assertThat(e.kind()).isEqualTo(ProblemKind.CONFLICT);
        assertThat(e).hasMessage("409 T: D");
    }

    @Test
    void shouldReadTheOffsetRangeOfAnOffsetOutOfRangeProblem() {
        IngestException e = ProblemParser.parse(416,
                problem("offset-out-of-range", 416, ",\"retriable\":false,\"logStartOffset\":10,\"logEndOffset\":25"));

        assertThat(e).isInstanceOfSatisfying(OffsetOutOfRangeException.class, range -> {
            assertThat(range.logStartOffset()).isEqualTo(10);
            assertThat(range.logEndOffset()).isEqualTo(25);
            assertThat(range.kind()).isEqualTo(ProblemKind.OFFSET_OUT_OF_RANGE);
        });
    }

    @Test
    void shouldClassifyProducerAndGroupProblemsByTheirCatalogueType() {
        assertThat(ProblemParser.parse(409, problem("producer-fenced", 409, "")).kind())
                .isEqualTo(ProblemKind.PRODUCER_FENCED);
        assertThat(ProblemParser.parse(409, problem("out-of-order-sequence", 409, "")).kind())
                .isEqualTo(ProblemKind.OUT_OF_ORDER_SEQUENCE);
        assertThat(ProblemParser.parse(409, problem("duplicate-sequence", 409, "")).kind())
                .isEqualTo(ProblemKind.DUPLICATE_SEQUENCE);
        assertThat(ProblemParser.parse(409, problem("rebalance-in-progress", 409, "")).kind())
                .isEqualTo(ProblemKind.REBALANCE_IN_PROGRESS);
        assertThat(ProblemParser.parse(409, problem("fenced", 409, "")).kind()).isEqualTo(ProblemKind.FENCED);
        assertThat(ProblemParser.parse(404, problem("topic-not-found", 404, "")).kind())
                .isEqualTo(ProblemKind.NOT_FOUND);
        assertThat(ProblemParser.parse(400, problem("invalid-topic-name", 400, "")).kind())
                .isEqualTo(ProblemKind.BAD_REQUEST);
    }

    @Test
    void shouldMatchWholeTypesNotSuffixes() {
        // another service's type that merely ends like one of ours is classified by its status
        IngestException foreign = ProblemParser.parse(409, "{\"type\":\"https://example.com/problems/producer-fenced\","
                + "\"title\":\"T\",\"status\":409}");
        assertThat(foreign.kind()).isEqualTo(ProblemKind.CONFLICT);
        // and "fenced" is not whatever ends in "fenced"
        assertThat(ProblemParser.parse(409, problem("group-fenced", 409, "")).kind()).isEqualTo(ProblemKind.CONFLICT);
    }

    @Test
    void shouldHonourTheServersRetriableFlagAndDefaultToRetryingServerErrors() {
        assertThat(ProblemParser.parse(409, problem("not-leader", 409, ",\"retriable\":true")).retriable()).isTrue();
        assertThat(ProblemParser.parse(503, problem("unavailable", 503, "")).retriable()).isTrue();
        assertThat(ProblemParser.parse(503, problem("unavailable", 503, "")).kind()).isEqualTo(ProblemKind.UNAVAILABLE);
        assertThat(ProblemParser.parse(400, problem("bad", 400, "")).retriable()).isFalse();
    }

    @Test
    void shouldKeepAnAnswerThatIsNotJsonAsTheDetail() {
        IngestException e = ProblemParser.parse(502, "<html>Bad Gateway</html>");

        assertThat(e.detail()).isEqualTo("<html>Bad Gateway</html>");
        assertThat(e.retriable()).isTrue();
        assertThat(e.kind()).isEqualTo(ProblemKind.UNAVAILABLE);
    }
}
