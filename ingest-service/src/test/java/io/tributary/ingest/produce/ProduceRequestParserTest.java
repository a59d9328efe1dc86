package io.tributary.ingest.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.tributary.ingest.log.LogRecord;
import io.tributary.ingest.problem.ProblemException;
import org.junit.jupiter.api.Test;

/**
 * The produce body parser: keys and header values are the UTF-8 of their decoded text whether or not they hold
 * escapes (one without is a slice of the body), and an error names the record and field it is about in either shape.
 */
class ProduceRequestParserTest {

    private static final ProduceRequestParser.Limits LIMITS = new ProduceRequestParser.Limits(100, 8, 0, Long.MAX_VALUE);

    @Test
    void keysAreTheUtf8OfTheirTextWithOrWithoutEscapes() {
        ProduceRequest r = ProduceRequestParser.parseJson(utf8("""
                {"records":[{"key":"plain","value":1},{"key":"é ü ✓","value":2},{"key":"a\\"b\\\\c\\u00e9","value":3},
                 {"key":null,"value":4},{"key":"","value":5}]}"""), LIMITS);
        assertThat(r.records().get(0).key().utf8()).isEqualTo("plain");
        assertThat(r.records().get(1).key().toArray()).isEqualTo(utf8("é ü ✓"));
        assertThat(r.records().get(2).key().utf8()).isEqualTo("a\"b\\cé");
        assertThat(r.records().get(3).key()).isNull();
        assertThat(r.records().get(4).key().toArray()).isEmpty();
        assertThat(r.records().get(2).value().utf8()).isEqualTo("3");

        ProduceRequest headed = ProduceRequestParser.parseJson(utf8("{\"records\":[{\"value\":1,\"headers\":"
                + "{\"plain\":\"v\",\"escaped\":\"a\\tb\",\"utf8\":\"ü\",\"none\":null}}]}"), LIMITS);
        List<LogRecord.Header> headers = headed.records().get(0).headers();
        assertThat(headers).extracting(LogRecord.Header::key).containsExactly("plain", "escaped", "utf8", "none");
        assertThat(headers.get(0).value().utf8()).isEqualTo("v");
        assertThat(headers.get(1).value().utf8()).isEqualTo("a\tb");
        assertThat(headers.get(2).value().toArray()).isEqualTo(utf8("ü"));
        assertThat(headers.get(3).value()).isNull();
    }

    @Test
    void anErrorNamesTheRecordAndFieldInAJsonBody() {
        assertThatThrownBy(() -> ProduceRequestParser.parseJson(utf8(
                "{\"records\":[{\"value\":1},{\"value\":2,\"partition\":-1}]}"), LIMITS))
                .isInstanceOf(InvalidProduceRequestException.class)
                .hasMessage("records[1].partition must be between 0 and 2147483647, was -1");
        assertThatThrownBy(() -> ProduceRequestParser.parseJson(utf8(
                "{\"records\":[{\"value\":1,\"sequence\":\"x\"}]}"), LIMITS))
                .hasMessage("records[0].sequence must be a whole number");
        assertThatThrownBy(() -> ProduceRequestParser.parseJson(utf8(
                "{\"producerId\":-1,\"producerEpoch\":0,\"baseSequence\":0,\"records\":[{\"value\":1}]}"), LIMITS))
                .hasMessage("producerId must not be negative");
        assertThatThrownBy(() -> ProduceRequestParser.parseJson(utf8(
                "{\"producerId\":1.5,\"records\":[{\"value\":1}]}"), LIMITS))
                .hasMessage("producerId must be a whole number");
    }

    @Test
    void anErrorNamesTheLineInNdjsonAndATimestampOutsideTheWindowNamesItsRecord() {
        assertThatThrownBy(() -> ProduceRequestParser.parseNdjson(utf8("{\"value\":1}\n{\"value\":2,\"key\":7}\n"),
                LIMITS, null, null, null, null))
                .isInstanceOf(InvalidProduceRequestException.class).hasMessage("line 2.key must be a string or null");
        ProduceRequestParser.Limits window = new ProduceRequestParser.Limits(100, 8, 1000, 2000);
        assertThatThrownBy(() -> ProduceRequestParser.parseJson(utf8(
                "{\"records\":[{\"value\":1,\"timestamp\":1500},{\"value\":2,\"timestamp\":2500}]}"), window))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.properties())
                        .isEqualTo(Map.of("record", "records[1]")))
                .hasMessageStartingWith("records[1].timestamp 2500 is later than the broker's clock allows");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
