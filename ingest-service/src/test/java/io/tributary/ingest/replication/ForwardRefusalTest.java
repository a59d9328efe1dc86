package io.tributary.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import org.junit.jupiter.api.Test;

/**
 * What a produce forwarded to a partition's leader fails with when the leader answers other than 200
 * ({@link DirectWrites#refusal}): the leader's own retriable problem, passed on with its type and reason, so a
 * client of a follower learns why (it once read "not committed by a majority of replicas (IOException)").
 */
class ForwardRefusalTest {

    @Test
    void aRetriableProblemOfTheLeaderIsPassedOnWithItsTypeAndDetail() {
        Exception e = DirectWrites.refusal(2, "orders-0", 503, problem("not-enough-replicas", 503,
                "orders-0: in-sync replicas [2] are fewer than ingest.replication.min-insync-replicas (2); nothing "
                        + "was written"));
        assertThat(e).isInstanceOf(ProblemException.class);
        ProblemException problem = (ProblemException) e;
        assertThat(problem.type()).isEqualTo(ProblemType.NOT_ENOUGH_REPLICAS);
        assertThat(problem.getMessage()).startsWith("node 2, the replica of orders-0 ")
                .contains("in-sync replicas [2] are fewer than ingest.replication.min-insync-replicas (2); nothing "
                        + "was written");
    }

    @Test
    void theLeadersStorageFailureIsTheOneAForwardWaitsOutForTheNextLeader() {
        Exception e = DirectWrites.refusal(1, "orders-0", 503, problem("storage-error", 503, "the leader failed"));
        assertThat(e).isInstanceOf(DirectWrites.LeaderStorageFailed.class).hasMessageContaining("the leader failed");
    }

    @Test
    void anythingElseIsAnIOExceptionThatKeepsTheAnswer() {
        Exception internal = DirectWrites.refusal(3, "orders-1", 500, problem("internal-error", 500, "a bug"));
        assertThat(internal).isExactlyInstanceOf(IOException.class).hasMessageContaining("500").hasMessageContaining("a bug");
        Exception notJson = DirectWrites.refusal(3, "orders-1", 502, "Bad Gateway".getBytes(StandardCharsets.UTF_8));
        assertThat(notJson).isExactlyInstanceOf(IOException.class).hasMessageContaining("502: Bad Gateway");
        Exception unauthorized = DirectWrites.refusal(3, "orders-1", 401, problem("unauthorized", 401, "no token"));
        assertThat(unauthorized).isExactlyInstanceOf(IOException.class).hasMessageContaining("401");
        Exception noDetail = DirectWrites.refusal(3, "orders-1", 503,
                "{\"type\":\"https://tributary.dev/problems/unavailable\",\"status\":503}".getBytes(StandardCharsets.UTF_8));
        assertThat(noDetail).isExactlyInstanceOf(IOException.class);
    }

    private static byte[] problem(String slug, int status, String detail) {
        return ("{\"type\":\"https://tributary.dev/problems/" + slug + "\",\"status\":" + status + ",\"detail\":\""
                + detail + "\",\"retriable\":true}").getBytes(StandardCharsets.UTF_8);
    }
}
