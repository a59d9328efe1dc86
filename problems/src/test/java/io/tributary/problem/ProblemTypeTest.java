package io.tributary.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ProblemTypeTest {

    @Test
    void everyTypeIsFoundByItsExactUriAndNothingElseIs() {
        for (ProblemType type : ProblemType.values()) {
            assertThat(ProblemType.of(type.uriString())).contains(type);
            assertThat(type.is(type.uriString())).isTrue();
            assertThat(type.uri().toString()).isEqualTo("https://tributary.dev/problems/" + type.slug());
        }
        // a suffix of a longer slug is not that slug: "fenced" is not "producer-fenced"
        assertThat(ProblemType.FENCED.is(ProblemType.PRODUCER_FENCED.uriString())).isFalse();
        assertThat(ProblemType.of("https://example.com/problems/fenced")).isEmpty();
        assertThat(ProblemType.of("fenced")).isEmpty();
        assertThat(ProblemType.of(null)).isEmpty();
    }

    @Test
    void slugsAreLowerCaseWordsAndStatusesAreErrors() {
        for (ProblemType type : ProblemType.values()) {
            assertThat(type.slug()).matches("[a-z]+(-[a-z]+)*");
            assertThat(type.status()).isBetween(400, 599);
            assertThat(type.title()).isNotBlank();
        }
        assertThat(Arrays.stream(ProblemType.values()).map(ProblemType::slug).distinct())
                .hasSize(ProblemType.values().length);
    }

    @Test
    void theCatalogueDocumentListsEveryType() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "problems.md"));
        for (ProblemType type : ProblemType.values()) {
            assertThat(doc).as("docs/problems.md lists %s", type.slug())
                    .containsPattern("(?m)^\\| ([a-z-]+(, | / ))*" + type.slug() + "(,| /| \\|)");
        }
    }

    @Test
    void frameworkErrorsMapByStatus() {
        assertThat(ProblemType.forStatus(400)).isEqualTo(ProblemType.INVALID_REQUEST);
        assertThat(ProblemType.forStatus(404)).isEqualTo(ProblemType.NOT_FOUND);
        assertThat(ProblemType.forStatus(405)).isEqualTo(ProblemType.METHOD_NOT_ALLOWED);
        assertThat(ProblemType.forStatus(413)).isEqualTo(ProblemType.PAYLOAD_TOO_LARGE);
        assertThat(ProblemType.forStatus(415)).isEqualTo(ProblemType.UNSUPPORTED_MEDIA_TYPE);
        assertThat(ProblemType.forStatus(422)).isEqualTo(ProblemType.INVALID_REQUEST);
        assertThat(ProblemType.forStatus(503)).isEqualTo(ProblemType.UNAVAILABLE);
        assertThat(ProblemType.forStatus(500)).isEqualTo(ProblemType.INTERNAL_ERROR);
        assertThat(ProblemType.forStatus(502)).isEqualTo(ProblemType.INTERNAL_ERROR);
    }
}
