package io.tributary.clean.step;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import static io.tributary.clean.step.StepTests.applied;
import static io.tributary.clean.step.StepTests.json;
import static io.tributary.clean.step.StepTests.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaskStepTest {

    @Test
    void shouldHashWithTheConfiguredSalt() throws Exception {
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("pepperann@example.com".getBytes(StandardCharsets.UTF_8)));
        assertThat(applied("{'type':'mask','field':'/email','method':'hash'}", "{'email':'ann@example.com'}"))
                .isEqualTo(json("{'email':'" + expected + "'}"));
    }

    @Test
    void shouldRedactAndKeepTheLastCharacters() {
        assertThat(applied("{'type':'mask','field':'/ssn','method':'redact'}", "{'ssn':{'a':1}}"))
                .isEqualTo(json("{'ssn':'***'}"));
        assertThat(applied("{'type':'mask','field':'/ssn','method':'redact','replacement':'[gone]'}", "{'ssn':'1'}"))
                .isEqualTo(json("{'ssn':'[gone]'}"));
        assertThat(applied("{'type':'mask','field':'/card','method':'keep-last','keep':4}",
                "{'card':4111111111111111}")).isEqualTo(json("{'card':'************1111'}"));
        assertThat(applied("{'type':'mask','field':'/pin','method':'keep-last','keep':4}", "{'pin':'12'}"))
                .isEqualTo(json("{'pin':'12'}"));
    }

    @Test
    void shouldLeaveMissingAndNullFieldsAlone() {
        assertThat(applied("{'type':'mask','field':'/email','method':'hash'}", "{'email':null}"))
                .isEqualTo(json("{'email':null}"));
        assertThat(applied("{'type':'mask','field':'/email','method':'hash'}", "{}")).isEqualTo(json("{}"));
    }

    @Test
    void shouldRejectHashingContainersAndRefuseBadConfigs() {
        assertThatThrownBy(() -> applied("{'type':'mask','field':'/e','method':'hash'}", "{'e':[1]}"))
                .isInstanceOf(RecordRejectedException.class);
        assertThatThrownBy(() -> step("{'type':'mask','field':'/e','method':'encrypt'}"))
                .hasMessageContaining("must be one of hash, redact, keep-last");
        assertThatThrownBy(() -> step("{'type':'mask','field':'/e','method':'hash','keep':2}"))
                .isInstanceOf(StepConfigException.class);
        assertThatThrownBy(() -> step("{'type':'mask','field':'/e','method':'keep-last','keep':-1}"))
                .isInstanceOf(StepConfigException.class);
    }
}
