package io.tributary.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.tributary.ingest.log.AppendResult;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** Group commit against a fake Raft client: what waits, what goes together, who gets which answer. */
class GroupCommitTest {

    /** Records every entry sent and lets the test answer each one. */
    private static final class FakeSender implements GroupCommit.Sender {
        final List<byte[]> entries = new ArrayList<>();
        final List<CompletableFuture<RaftClientReply>> replies = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<RaftClientReply> send(byte[] entry) {
            entries.add(entry);
            CompletableFuture<RaftClientReply> f = new CompletableFuture<>();
            replies.add(f);
            return f;
        }

        synchronized int sent() {
            return entries.size();
        }
    }

    private static byte[] batch(int tag, int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) tag);
        return b;
    }

    private static byte[] ok(long base) {
        return ApplyReply.ok(new AppendResult(base, new long[1], false));
    }

    private static RaftClientReply success(byte[] content) {
        return RaftClientReply.newBuilder().setClientId(ClientId.randomId()).setServerId(RaftPeerId.valueOf("1"))
                .setGroupId(RaftGroupId.randomId()).setCallId(1).setSuccess(true)
                .setMessage(Message.valueOf(ByteString.copyFrom(content))).build();
    }

    private static NotLeaderException notLeader() {
        RaftPeerId peer = RaftPeerId.valueOf("1");
        return new NotLeaderException(org.apache.ratis.protocol.RaftGroupMemberId.valueOf(peer, RaftGroupId.randomId()),
                null, List.of());
    }

    private static long base(CompletableFuture<ByteBuffer> f) throws Exception {
        return ApplyReply.decode(f.get(5, TimeUnit.SECONDS), new long[1]).baseOffset();
    }

    @Test
    void anIdlePartitionSendsABatchAtOnceAndWaitingBatchesGoTogether() throws Exception {
        FakeSender sender = new FakeSender();
        GroupCommit commit = new GroupCommit(sender, 1, 1 << 20, 10_000, Runnable::run, n -> { });

        CompletableFuture<ByteBuffer> first = commit.submit(batch(1, 10));
        assertThat(sender.sent()).as("nothing in flight: sent at once").isEqualTo(1);
        assertThat(sender.entries.get(0)).isEqualTo(batch(1, 10));

        CompletableFuture<ByteBuffer> second = commit.submit(batch(2, 20));
        CompletableFuture<ByteBuffer> third = commit.submit(batch(3, 30));
        assertThat(sender.sent()).as("one entry in flight: the others wait").isEqualTo(1);
        assertThat(commit.waiting()).isEqualTo(2);

        sender.replies.get(0).complete(success(ok(0)));
        assertThat(base(first)).isEqualTo(0);
        assertThat(sender.sent()).as("both waiting batches went as one entry").isEqualTo(2);
        byte[] together = new byte[50];
        System.arraycopy(batch(2, 20), 0, together, 0, 20);
        System.arraycopy(batch(3, 30), 0, together, 20, 30);
        assertThat(sender.entries.get(1)).isEqualTo(together);
        assertThat(second).isNotDone();

        sender.replies.get(1).complete(success(ApplyReply.multi(List.of(ok(1), ok(2)))));
        assertThat(base(second)).as("each batch gets its own reply").isEqualTo(1);
        assertThat(base(third)).isEqualTo(2);
        assertThat(commit.waiting()).isZero();
    }

    @Test
    void anEntryStaysUnderTheByteLimitButALargeBatchStillGoesAlone() throws Exception {
        FakeSender sender = new FakeSender();
        GroupCommit commit = new GroupCommit(sender, 1, 100, 10_000, Runnable::run, n -> { });
        commit.submit(batch(1, 10));
        commit.submit(batch(2, 60));
        commit.submit(batch(3, 60));
        commit.submit(batch(4, 500));

        sender.replies.get(0).complete(success(ok(0)));
        assertThat(sender.entries.get(1)).as("60 + 60 > 100: the second waits for the next entry").hasSize(60);
        sender.replies.get(1).complete(success(ok(1)));
        assertThat(sender.entries.get(2)).as("60 + 500 > 100").hasSize(60);
        sender.replies.get(2).complete(success(ok(2)));
        assertThat(sender.entries.get(3)).as("larger than the limit, alone").hasSize(500);
    }

    @Test
    void upToMaxInFlightEntriesAreOnTheirWayAtOnce() {
        FakeSender sender = new FakeSender();
        GroupCommit commit = new GroupCommit(sender, 2, 1 << 20, 10_000, Runnable::run, n -> { });
        commit.submit(batch(1, 10));
        commit.submit(batch(2, 10));
        commit.submit(batch(3, 10));
        commit.submit(batch(4, 10));
        assertThat(sender.sent()).isEqualTo(2);
        assertThat(commit.waiting()).isEqualTo(2);
    }

    @Test
    void aFailedEntryFailsEveryBatchInItAndTheNextEntryStillGoes() throws Exception {
        FakeSender sender = new FakeSender();
        GroupCommit commit = new GroupCommit(sender, 1, 1 << 20, 10_000, Runnable::run, n -> { });
        CompletableFuture<ByteBuffer> first = commit.submit(batch(1, 10));
        CompletableFuture<ByteBuffer> second = commit.submit(batch(2, 10));
        CompletableFuture<ByteBuffer> third = commit.submit(batch(3, 10));

        sender.replies.get(0).completeExceptionally(notLeader());
        assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NotLeaderException.class);
        assertThat(sender.sent()).isEqualTo(2);
        sender.replies.get(1).completeExceptionally(new java.io.IOException("connection reset"));
        assertThatThrownBy(() -> second.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(java.io.IOException.class);
        assertThatThrownBy(() -> third.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(java.io.IOException.class);

        CompletableFuture<ByteBuffer> fourth = commit.submit(batch(4, 10));
        assertThat(sender.sent()).as("the slots were freed").isEqualTo(3);
        sender.replies.get(2).complete(success(ok(7)));
        assertThat(base(fourth)).isEqualTo(7);
    }

    @Test
    void anEntryWithoutAnAnswerTimesOutAndFreesItsSlot() throws Exception {
        FakeSender sender = new FakeSender();
        GroupCommit commit = new GroupCommit(sender, 1, 1 << 20, 200, Runnable::run, n -> { });
        CompletableFuture<ByteBuffer> first = commit.submit(batch(1, 10));
        CompletableFuture<ByteBuffer> second = commit.submit(batch(2, 10));

        assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);
        // The waiting batch went once the first entry's slot was freed.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sender.sent() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(sender.sent()).isEqualTo(2);
        sender.replies.get(1).complete(success(ok(3)));
        assertThat(base(second)).isEqualTo(3);
    }

    @Test
    void aMultiReplyThatDoesNotMatchTheEntryFailsItsBatchesInsteadOfMisassigningOffsets() {
        FakeSender sender = new FakeSender();
        GroupCommit commit = new GroupCommit(sender, 1, 1 << 20, 10_000, Runnable::run, n -> { });
        commit.submit(batch(1, 10));
        CompletableFuture<ByteBuffer> second = commit.submit(batch(2, 10));
        CompletableFuture<ByteBuffer> third = commit.submit(batch(3, 10));
        sender.replies.get(0).complete(success(ok(0)));
        sender.replies.get(1).complete(success(ApplyReply.multi(List.of(ok(1)))));
        assertThatThrownBy(() -> second.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> third.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
    }
}
