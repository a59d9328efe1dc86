package io.tributary.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RoutingLineTest {

    private final RoutingLine line = new RoutingLine();

    @Test
    void nobodyWaitingMeansNoTurn() {
        assertThat(line.joinIfWaiting("t-0")).isNull();
    }

    @Test
    void partsAfterAWaitingOneGoInTheOrderTheyJoinedAndOnlyAfterIt() {
        RoutingLine.Turn waits = line.join("t-0");
        assertThat(waits.ready()).isDone();
        RoutingLine.Turn second = line.joinIfWaiting("t-0");
        RoutingLine.Turn third = line.joinIfWaiting("t-0");
        assertThat(second).isNotNull();
        assertThat(line.joinIfWaiting("t-1")).as("another partition").isNull();

        List<String> routed = new ArrayList<>();
        third.ready().thenRun(() -> routed.add("third"));
        second.ready().thenRun(() -> routed.add("second"));
        assertThat(second.ready()).isNotDone();

        third.release(); // gave up early: still not before the ones ahead of it
        assertThat(routed).isEmpty();
        waits.release();
        assertThat(routed).containsExactly("second");
        second.release();
        assertThat(routed).containsExactly("second", "third");

        assertThat(line.joinIfWaiting("t-0")).as("everyone went").isNull();
    }

    @Test
    void aReleaseTwiceLetsOnlyItsSuccessorGo() {
        RoutingLine.Turn first = line.join("t-0");
        RoutingLine.Turn second = line.joinIfWaiting("t-0");
        RoutingLine.Turn third = line.joinIfWaiting("t-0");
        first.release();
        first.release();
        assertThat(second.ready()).isDone();
        assertThat(third.ready()).isNotDone();
        assertThat(line.joinIfWaiting("t-0")).isNotNull(); // second still holds its turn
    }
}
