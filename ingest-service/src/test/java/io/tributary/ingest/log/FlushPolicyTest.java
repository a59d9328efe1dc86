package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class FlushPolicyTest extends LogTestSupport {

    @Test
    void shouldFlushEveryBatchWhenFlushMessagesIsOne() {
        PartitionLog log = open(smallSegments(LogConfig.FLUSH_MESSAGES, "1"));
        for (int i = 0; i < 30; i++) {
            log.append(records(2, "r" + i, i));
            assertThat(log.recoveryPoint()).isEqualTo(log.logEndOffset());
            assertThat(log.highWatermark()).isEqualTo(log.logEndOffset());
        }
    }

    @Test
    void shouldLeaveRecordsUnflushedUntilFlushMsHasPassed() {
        PartitionLog log = open(smallSegments(LogConfig.FLUSH_MS, "60000"));
        log.append(records(3, "a", 1));
        assertThat(log.recoveryPoint()).isZero();
        assertThat(log.highWatermark()).isEqualTo(3);

        log.maybeFlushByTime(System.currentTimeMillis() - 1);
        assertThat(log.recoveryPoint()).isZero();
        log.maybeFlushByTime(Long.MAX_VALUE);
        assertThat(log.recoveryPoint()).isEqualTo(3);
    }

    @Test
    void shouldFlushExplicitlyAndRecordTheRecoveryPointInTheCleanMarker() throws Exception {
        PartitionLog log = open(smallSegments());
        log.append(records(5, "a", 1));
        log.flush();
        assertThat(log.recoveryPoint()).isEqualTo(5);
        log.append(records(5, "b", 1));
        log.close();
        PartitionLog reopened = open(smallSegments());
        assertThat(reopened.recoveryPoint()).isEqualTo(10);
        assertThat(reopened.logEndOffset()).isEqualTo(10);
    }

    @Test
    void shouldCloseWhileOtherThreadsFlushAndAppend() throws Exception {
        for (int round = 0; round < 20; round++) {
            PartitionLog log = open(smallSegments());
            log.append(records(1, "a", 1));
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Thread thread = new Thread(() -> {
                    try {
                        for (int i = 0; i < 200; i++) {
                            log.append(records(1, "x", i));
                            log.flush();
                        }
                    } catch (IllegalStateException closed) {
                        // the log closed under us: expected
                    }
                });
                threads.add(thread);
                thread.start();
            }
            log.close();
            for (Thread thread : threads) {
                thread.join(10_000);
                assertThat(thread.isAlive()).as("writer stuck after close").isFalse();
            }
            long end = log.logEndOffset();
            PartitionLog reopened = open(smallSegments());
            assertThat(reopened.logEndOffset()).isGreaterThanOrEqualTo(end);
            reopened.close();
            LogLoader.deleteRecursively(dir);
        }
    }
}
