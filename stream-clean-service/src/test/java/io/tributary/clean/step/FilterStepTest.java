package io.tributary.clean.step;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static io.tributary.clean.step.StepTests.record;
import static io.tributary.clean.step.StepTests.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class FilterStepTest {

    private static Step filter(String expression) {
        return StepTests.FACTORY.create(StepTests.JSON.createObjectNode().put("type", "filter")
                .put("expression", expression));
    }

    @Test
    void shouldKeepRecordsMatchingTheExpressionAndFilterTheRest() {
        Step filter = filter("amount > 10 and country == 'DE'");
        assertThat(filter.apply(record("{'amount':11,'country':'DE'}"))).isTrue();
        assertThat(filter.apply(record("{'amount':9,'country':'DE'}"))).isFalse();
    }

    @Test
    void shouldSeeKeyHeadersAndTimestampAsVariables() {
        assertThat(filter("#key == 'k' and #headers['src'] == 'web' and #timestamp == 1000")
                .apply(record("{}"))).isTrue();
    }

    @Test
    void shouldRefuseTypeReferencesWhenTheStepIsCreated() {
        assertThatThrownBy(() -> step("{'type':'filter','expression':'T(java.lang.Runtime).getRuntime()'}"))
                .isInstanceOf(StepConfigException.class)
                .hasMessageContaining("type reference");
        assertThatThrownBy(() -> step("{'type':'filter','expression':'amount >'}"))
                .isInstanceOf(StepConfigException.class).hasMessageContaining("invalid expression");
        assertThatThrownBy(() -> step("{'type':'filter'}")).isInstanceOf(StepConfigException.class);
    }

    @Test
    void shouldRejectRecordsOnWhichTheExpressionFailsOrIsNotBoolean() {
        assertThatThrownBy(() -> step("{'type':'filter','expression':'amount'}").apply(record("{'amount':'x'}")))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("not a boolean");
        assertThatThrownBy(() -> step("{'type':'filter','expression':'amount > 10'}").apply(record("{'amount':[1]}")))
                .isInstanceOf(RecordRejectedException.class);
        assertThatThrownBy(() -> step("{'type':'filter','expression':'missing'}").apply(record("{}")))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("null");
    }

    @Test
    void shouldDeadLetterARecordOnWhichAMatchesOperatorBacktracksInsteadOfSpinning() {
        // SpEL's "matches" bounds its own work (Spring's OperatorMatches: 1,000,000 character reads, patterns of at
        // most 1,000 characters); pinned here because a filter's regex and the value are both the user's.
        Step filter = filter("tag matches '(.*a){25}$'");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertThatThrownBy(() -> filter.apply(record("{'tag':'" + "a".repeat(40) + "!'}")))
                        .isInstanceOf(RecordRejectedException.class));
        // A pattern taken from the record itself is bounded the same way.
        Step fromRecord = filter("tag matches pattern");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertThatThrownBy(() -> fromRecord.apply(record("{'tag':'" + "a".repeat(40)
                        + "!','pattern':'(.*a){25}$'}"))).isInstanceOf(RecordRejectedException.class));
        assertThat(filter("tag matches '^a+$'").apply(record("{'tag':'aaa'}"))).isTrue();
    }
}
