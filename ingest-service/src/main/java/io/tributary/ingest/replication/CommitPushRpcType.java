package io.tributary.ingest.replication;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.server.raftlog.RaftLogIOException;

/**
 * Ratis's gRPC transport with one change on the leader: a follower is told of a new commit index
 * at once, by an append without entries, instead of with the next entry or periodic heartbeat.
 *
 * <p>Why: a follower applies (and so serves) an entry only once it knows the entry is committed.
 * Ratis 3.2.0 tells it either through a commit-index entry appended after every commit
 * ({@code raft.server.log.log-metadata.enabled}, which doubles the entries every replica writes,
 * fsyncs and replicates) or with the next append or heartbeat, up to half an election timeout
 * later. Its log appender wakes up when the commit index moves but, with no new entry to send,
 * sends nothing until the heartbeat is due. This appender sends that heartbeat right away, once
 * per commit index the follower is behind on; it is an ordinary Ratis heartbeat (no entries, the
 * leader's commit index), so the follower handles it as it handles every heartbeat.
 *
 * <p>Installed through {@code raft.rpc.type} (Ratis's extension point for a user-defined
 * transport: this class name), on the server's properties only; clients keep plain gRPC.
 */
public final class CommitPushRpcType implements RpcType {

    @Override
    public String name() {
        return CommitPushRpcType.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        return new Factory(parameters);
    }

    private static final class Factory extends GrpcFactory {
        Factory(Parameters parameters) {
            super(parameters);
        }

        @Override
        public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo f) {
            return new Appender(server, state, f);
        }
    }

    private static final class Appender extends GrpcLogAppender {
        /**
         * The highest commit index already pushed to this follower: one push per index, not one per
         * wake-up while the answer to the previous push is on its way. Only this appender's own
         * thread builds requests, so no synchronisation.
         */
        private long pushed = -1;

        Appender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
            super(server, state, follower);
        }

        @Override
        public AppendEntriesRequestProto newAppendEntriesRequest(long callId, boolean heartbeat)
                throws RaftLogIOException {
            AppendEntriesRequestProto request = super.newAppendEntriesRequest(callId, heartbeat);
            if (request != null) {
                return request; // entries or a heartbeat: either carries the commit index
            }
            long committed = getRaftLog().getLastCommittedIndex();
            if (committed > getFollower().getCommitIndex() && committed > pushed) {
                pushed = committed;
                return super.newAppendEntriesRequest(callId, true);
            }
            return null;
        }
    }
}
