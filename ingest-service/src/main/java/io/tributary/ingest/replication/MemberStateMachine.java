package io.tributary.ingest.replication;

import java.io.IOException;

import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.BaseStateMachine;

/**
 * A group's state machine that keeps this node's member of the group from {@link #initialize} on.
 * Ratis creates the member, registers it and then starts it, which initializes this state machine;
 * when the start fails Ratis unregisters the member without closing it, and this reference is the
 * only way left to close it ({@link GroupJoins}).
 */
abstract class MemberStateMachine extends BaseStateMachine {

    private volatile RaftServer.Division member;

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage) throws IOException {
        super.initialize(server, groupId, storage);
        // Registered before it starts, so found here.
        member = server.getDivision(groupId);
    }

    /** This node's member of the group; null before {@link #initialize}. */
    RaftServer.Division member() {
        return member;
    }
}
