package io.tributary.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;

import io.tributary.ingest.problem.InvalidRequestException;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.ingest.topic.UnknownTopicException;
import io.tributary.problem.ProblemType;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The Kafka error code a failure of the log or a group becomes on the Kafka listener. */
class KafkaErrorsTest {

    @Test
    void aCallersMistakeIsAnInvalidRequestAndABugAnUnknownServerError() {
        assertThat(KafkaErrors.of(new InvalidRequestException("sessionTimeoutMs out of range")))
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(KafkaErrors.of(new IllegalArgumentException("a bug"))).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(KafkaErrors.of(new IllegalStateException("a bug"))).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
    }

    @Test
    void catalogueProblemsMapToTheirKafkaCodesAlsoWhenWrapped() {
        assertThat(KafkaErrors.of(new CompletionException(new ProblemException(ProblemType.NOT_ENOUGH_REPLICAS, "x"))))
                .isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
        assertThat(KafkaErrors.of(new ProblemException(ProblemType.COORDINATOR_NOT_AVAILABLE, "x")))
                .isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(KafkaErrors.of(new ProblemException(ProblemType.PARTITION_NOT_HOSTED, "x")))
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(KafkaErrors.of(new UnknownTopicException("t"))).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }
}
