package io.tributary.ingest.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.acl.Operation;
import io.tributary.ingest.acl.ResourceType;
import io.tributary.ingest.topic.TopicPartition;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;

/**
 * The group API keys of the Kafka listener: FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup, OffsetCommit, OffsetFetch, ListGroups, DescribeGroups, over
 * {@link KafkaGroupCoordinator}. ACLs as Kafka's: READ on the group for membership and offsets,
 * READ on each topic committed, DESCRIBE on the group to find and describe it.
 */
final class GroupApis {

    private final KafkaGroupCoordinator coordinator;
    private final KafkaTopics topics;
    private final KafkaBrokers brokers;

    GroupApis(KafkaGroupCoordinator coordinator, KafkaTopics topics, KafkaBrokers brokers) {
        this.coordinator = coordinator;
        this.topics = topics;
        this.brokers = brokers;
    }

    CompletableFuture<FindCoordinatorResponse> findCoordinator(KafkaRequest request) {
        FindCoordinatorRequestData req = ((FindCoordinatorRequest) request.body()).data();
        FindCoordinatorResponseData data = new FindCoordinatorResponseData();
        List<String> keys = request.version() >= 4 ? req.coordinatorKeys() : List.of(req.key());
        for (String key : keys) {
            FindCoordinatorResponseData.Coordinator c = new FindCoordinatorResponseData.Coordinator().setKey(key)
                    .setNodeId(-1).setHost("").setPort(-1);
            if (req.keyType() == 1) {
                // No transactions: refused, not "unavailable", so a transactional producer fails at once in
                // initTransactions() instead of retrying until max.block.ms.
                c.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                        .setErrorMessage("transactions are not supported by this listener");
            } else if (req.keyType() != 0) {
                c.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("coordinator key type "
                        + req.keyType() + " is not supported");
            } else if (!mayGroup(key, Operation.DESCRIBE)) {
                c.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code());
            } else {
                // On a cluster the leader of the group's offsets partition, as for REST groups.
                KafkaEndpoint node = brokers.clustered() ? brokers.endpoint(coordinator.coordinatorNode(key))
                        : brokers.self();
                if (node == null) {
                    c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
                } else {
                    c.setNodeId(node.nodeId()).setHost(node.host()).setPort(node.port());
                }
            }
            data.coordinators().add(c);
        }
        if (request.version() < 4) {
            FindCoordinatorResponseData.Coordinator c = data.coordinators().get(0);
            data = new FindCoordinatorResponseData().setErrorCode(c.errorCode()).setErrorMessage(c.errorMessage())
                    .setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
        }
        return CompletableFuture.completedFuture(new FindCoordinatorResponse(data));
    }

    CompletableFuture<JoinGroupResponse> joinGroup(KafkaRequest request) {
        JoinGroupRequestData req = ((JoinGroupRequest) request.body()).data();
        if (!mayGroup(req.groupId(), Operation.READ)) {
            return CompletableFuture.completedFuture(new JoinGroupResponse(new JoinGroupResponseData()
                    .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()).setGenerationId(-1)
                    .setMemberId(req.memberId()).setLeader("").setProtocolName(null), request.version()));
        }
        return coordinator.join(req, request.header().clientId(), request.client().getAddress().getHostAddress(),
                request.version()).thenApply(d -> new JoinGroupResponse(d, request.version()));
    }

    CompletableFuture<SyncGroupResponse> syncGroup(KafkaRequest request) {
        SyncGroupRequestData req = ((SyncGroupRequest) request.body()).data();
        if (!mayGroup(req.groupId(), Operation.READ)) {
            return CompletableFuture.completedFuture(new SyncGroupResponse(new SyncGroupResponseData()
                            .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()).setAssignment(new byte[0])));
        }
        return coordinator.sync(req).thenApply(SyncGroupResponse::new);
    }

    CompletableFuture<HeartbeatResponse> heartbeat(KafkaRequest request) {
        HeartbeatRequest req = (HeartbeatRequest) request.body();
        Errors error = mayGroup(req.data().groupId(), Operation.READ)
                ? coordinator.heartbeat(req.data().groupId(), req.data().memberId(), req.data().generationId())
                : Errors.GROUP_AUTHORIZATION_FAILED;
        return CompletableFuture.completedFuture(new HeartbeatResponse(new HeartbeatResponseData()
                .setErrorCode(error.code())));
    }

    CompletableFuture<LeaveGroupResponse> leaveGroup(KafkaRequest request) {
        LeaveGroupRequest req = (LeaveGroupRequest) request.body();
        LeaveGroupResponseData data = new LeaveGroupResponseData();
        if (!mayGroup(req.data().groupId(), Operation.READ)) {
            data.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code());
        } else {
            Errors first = Errors.NONE;
            for (LeaveGroupRequestData.MemberIdentity m : req.members()) {
                Errors e = coordinator.leave(req.data().groupId(), m.memberId());
                data.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(m.memberId())
                        .setGroupInstanceId(m.groupInstanceId()).setErrorCode(e.code()));
                if (first == Errors.NONE) {
                    first = e;
                }
            }
            if (request.version() < 3) {
                data.members().clear();
                data.setErrorCode(first.code());
            }
        }
        return CompletableFuture.completedFuture(new LeaveGroupResponse(data, request.version()));
    }

    CompletableFuture<OffsetCommitResponse> offsetCommit(KafkaRequest request) {
        OffsetCommitRequestData req = ((OffsetCommitRequest) request.body()).data();
        OffsetCommitResponseData data = new OffsetCommitResponseData();
        Errors groupError = mayGroup(req.groupId(), Operation.READ)
                ? coordinator.checkCommit(req.groupId(), req.memberId(), req.generationIdOrMemberEpoch())
                : Errors.GROUP_AUTHORIZATION_FAILED;
        Map<TopicPartition, Long> commit = new HashMap<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : req.topics()) {
            OffsetCommitResponseTopic out = new OffsetCommitResponseTopic().setName(t.name()).setTopicId(t.topicId());
            TopicRegistry.Topic topic = topics.resolve(t.name(), t.topicId());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                OffsetCommitResponsePartition result = new OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex());
                out.partitions().add(result);
                Errors e = groupError;
                if (e == Errors.NONE) {
                    if (topic == null || p.partitionIndex() < 0 || p.partitionIndex() >= topic.partitions().size()) {
                        e = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    } else if (!topics.may(topic.name(), Operation.READ)) {
                        e = Errors.TOPIC_AUTHORIZATION_FAILED;
                    } else if (p.committedOffset() < 0) {
                        e = Errors.INVALID_COMMIT_OFFSET_SIZE;
                    }
                }
                result.setErrorCode(e.code());
                if (e == Errors.NONE) {
                    commit.put(new TopicPartition(topic.name(), p.partitionIndex()), p.committedOffset());
                }
            }
            data.topics().add(out);
        }
        if (!commit.isEmpty()) {
            try {
                coordinator.commit(req.groupId(), commit);
            } catch (RuntimeException ex) {
                Errors e = KafkaErrors.of(ex);
                Errors error = e == Errors.COORDINATOR_NOT_AVAILABLE ? Errors.NOT_COORDINATOR
                        : e == Errors.UNKNOWN_SERVER_ERROR ? Errors.COORDINATOR_NOT_AVAILABLE : e;
                data.topics().forEach(t -> t.partitions().forEach(p -> {
                    if (p.errorCode() == Errors.NONE.code()) {
                        p.setErrorCode(error.code());
                    }
                }));
            }
        }
        return CompletableFuture.completedFuture(new OffsetCommitResponse(data));
    }

    CompletableFuture<OffsetFetchResponse> offsetFetch(KafkaRequest request) {
        OffsetFetchRequest req = (OffsetFetchRequest) request.body();
        OffsetFetchResponseData data = new OffsetFetchResponseData();
        for (OffsetFetchRequestData.OffsetFetchRequestGroup group : req.groups()) {
            data.groups().add(fetchGroup(group));
        }
        if (request.version() < 8) {
            OffsetFetchResponseData.OffsetFetchResponseGroup only = data.groups().get(0);
            OffsetFetchResponseData old = new OffsetFetchResponseData().setErrorCode(only.errorCode());
            for (OffsetFetchResponseData.OffsetFetchResponseTopics t : only.topics()) {
                OffsetFetchResponseData.OffsetFetchResponseTopic ot = new OffsetFetchResponseData.OffsetFetchResponseTopic()
                        .setName(t.name());
                for (OffsetFetchResponseData.OffsetFetchResponsePartitions p : t.partitions()) {
                    ot.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setCommittedOffset(p.committedOffset())
                            .setCommittedLeaderEpoch(-1).setMetadata("").setErrorCode(p.errorCode()));
                }
                old.topics().add(ot);
            }
            data = old;
        }
        return CompletableFuture.completedFuture(new OffsetFetchResponse(data, request.version()));
    }

    private OffsetFetchResponseData.OffsetFetchResponseGroup fetchGroup(OffsetFetchRequestData.OffsetFetchRequestGroup g) {
        OffsetFetchResponseData.OffsetFetchResponseGroup out = new OffsetFetchResponseData.OffsetFetchResponseGroup()
                .setGroupId(g.groupId());
        if (!mayGroup(g.groupId(), Operation.READ)) {
            return out.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code());
        }
        Map<TopicPartition, Long> committed = coordinator.committed(g.groupId());
        Map<String, List<Integer>> wanted = new TreeMap<>();
        if (g.topics() == null) {
            committed.keySet().forEach(tp -> wanted.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition()));
        } else {
            for (OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics()) {
                TopicRegistry.Topic topic = topics.resolve(t.name(), t.topicId());
                wanted.put(topic != null ? topic.name() : t.name(), t.partitionIndexes());
            }
        }
        wanted.forEach((name, partitions) -> {
            OffsetFetchResponseData.OffsetFetchResponseTopics t = new OffsetFetchResponseData.OffsetFetchResponseTopics()
                    .setName(name);
            TopicRegistry.Topic topic = topics.byName(name);
            if (topic != null) {
                t.setTopicId(topics.idOf(topic));
            }
            boolean readable = topic == null || topics.may(name, Operation.DESCRIBE);
            for (int p : partitions) {
                Long offset = committed.get(new TopicPartition(name, p));
                t.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(p)
                        .setCommittedOffset(offset == null || !readable ? -1 : offset).setCommittedLeaderEpoch(-1)
                        .setMetadata("")
                        .setErrorCode((readable ? Errors.NONE : Errors.TOPIC_AUTHORIZATION_FAILED).code()));
            }
            out.topics().add(t);
        });
        return out;
    }

    CompletableFuture<ListGroupsResponse> listGroups(KafkaRequest request) {
        ListGroupsResponseData data = new ListGroupsResponseData();
        Set<String> listed = new HashSet<>();
        for (KafkaGroup g : coordinator.groups()) {
            synchronized (g) {
                if (mayGroup(g.id, Operation.DESCRIBE)) {
                    data.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId(g.id)
                            .setProtocolType(g.protocolType == null ? "consumer" : g.protocolType)
                            .setGroupState(g.state.kafkaName).setGroupType("classic"));
                    listed.add(g.id);
                }
            }
        }
        for (String id : coordinator.groupsWithOffsets()) {
            if (!listed.contains(id) && mayGroup(id, Operation.DESCRIBE)) {
                data.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId(id).setProtocolType("consumer")
                        .setGroupState(KafkaGroup.State.EMPTY.kafkaName).setGroupType("classic"));
            }
        }
        return CompletableFuture.completedFuture(new ListGroupsResponse(data));
    }

    CompletableFuture<DescribeGroupsResponse> describeGroups(KafkaRequest request) {
        DescribeGroupsRequest req = (DescribeGroupsRequest) request.body();
        DescribeGroupsResponseData data = new DescribeGroupsResponseData();
        for (String id : req.data().groups()) {
            DescribedGroup out = new DescribedGroup().setGroupId(id).setProtocolType("").setProtocolData("")
                    .setGroupState(KafkaGroup.State.EMPTY.kafkaName);
            if (!mayGroup(id, Operation.DESCRIBE)) {
                data.groups().add(out.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
                continue;
            }
            KafkaGroup g = coordinator.group(id);
            if (g == null) {
                // Unknown or without Kafka members: described as an empty group, as Kafka does ("Dead" if no offsets).
                boolean hasOffsets = coordinator.groupsWithOffsets().contains(id);
                data.groups().add(out.setGroupState(hasOffsets ? "Empty" : "Dead"));
                continue;
            }
            synchronized (g) {
                out.setGroupState(g.state.kafkaName).setProtocolType(g.protocolType == null ? "" : g.protocolType)
                        .setProtocolData(g.protocolName == null ? "" : g.protocolName);
                for (KafkaGroup.Member m : g.members.values()) {
                    out.members().add(new DescribedGroupMember().setMemberId(m.id).setClientId(m.clientId)
                            .setClientHost("/" + m.clientHost)
                            .setMemberMetadata(g.protocolName == null ? new byte[0] : m.metadata(g.protocolName))
                            .setMemberAssignment(m.assignment));
                }
            }
            data.groups().add(out);
        }
        return CompletableFuture.completedFuture(new DescribeGroupsResponse(data));
    }

    private boolean mayGroup(String group, Operation op) {
        return topics.mayResource(ResourceType.GROUP, group, op);
    }
}
