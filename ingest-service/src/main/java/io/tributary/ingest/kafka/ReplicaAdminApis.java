package io.tributary.ingest.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.acl.Operation;
import io.tributary.ingest.acl.ResourceType;
import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.cluster.Reassignments;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsResponse;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.apache.kafka.common.requests.ElectLeadersResponse;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ListPartitionReassignmentsResponse;

/**
 * Kafka's admin calls for replicas, so that {@code kafka-leader-election} and Kafka's {@code Admin} client's
 * reassignment calls work against the cluster, through the same paths as the REST API:
 * <ul>
 *   <li>ElectLeaders (preferred only) = {@code POST /api/v1/cluster/preferred-leader-elections}, per partition;</li>
 *   <li>AlterPartitionReassignments = {@code POST /api/v1/cluster/reassignments} per partition, and a null replica
 *       list = {@code DELETE /api/v1/cluster/reassignments/{topic}/{partition}} (cancel);</li>
 *   <li>ListPartitionReassignments = {@code GET /api/v1/cluster/reassignments}.</li>
 * </ul>
 * The first two need CLUSTER ALTER, the last CLUSTER DESCRIBE, as in Kafka.
 */
final class ReplicaAdminApis {

    private final KafkaTopics topics;
    private final ClusterOps cluster;

    ReplicaAdminApis(KafkaTopics topics, ClusterOps cluster) {
        this.topics = topics;
        this.cluster = cluster;
    }

    private boolean mayCluster(Operation op) {
        return topics.mayResource(ResourceType.CLUSTER, ResourceType.CLUSTER_NAME, op);
    }

    CompletableFuture<ElectLeadersResponse> electLeaders(KafkaRequest request) {
        ElectLeadersRequest req = (ElectLeadersRequest) request.body();
        ElectLeadersResponseData data = new ElectLeadersResponseData();
        if (!mayCluster(Operation.ALTER)) {
            return CompletableFuture.completedFuture(new ElectLeadersResponse(
                    data.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())));
        }
        Map<String, List<Integer>> asked = new LinkedHashMap<>();
        if (req.data().topicPartitions() == null) { // every partition
            for (TopicRegistry.Topic t : topics.registry().list()) {
                asked.put(t.name(), java.util.stream.IntStream.range(0, t.partitions().size()).boxed().toList());
            }
        } else {
            for (ElectLeadersRequestData.TopicPartitions tp : req.data().topicPartitions()) {
                asked.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).addAll(tp.partitions());
            }
        }
        asked.forEach((topic, partitions) -> {
            ReplicaElectionResult result = new ReplicaElectionResult().setTopic(topic);
            for (int p : partitions) {
                result.partitionResult().add(elect(req.electionType(), topic, p));
            }
            data.replicaElectionResults().add(result);
        });
        return CompletableFuture.completedFuture(new ElectLeadersResponse(data));
    }

    private PartitionResult elect(ElectionType type, String topic, int partition) {
        PartitionResult out = new PartitionResult().setPartitionId(partition);
        if (type != ElectionType.PREFERRED) {
            return out.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("only preferred elections are "
                    + "offered: Raft elects a leader only among replicas that hold every committed entry");
        }
        Reassignments.LeaderChange change;
        try {
            change = cluster.electPreferredLeader(topic, partition);
        } catch (RuntimeException e) {
            return out.setErrorCode(KafkaErrors.of(e).code()).setErrorMessage(e.getMessage());
        }
        return switch (change.result()) {
            case "elected" -> out.setErrorCode(Errors.NONE.code());
            case "already-leader" -> out.setErrorCode(Errors.ELECTION_NOT_NEEDED.code());
            default -> out.setErrorCode(Errors.PREFERRED_LEADER_NOT_AVAILABLE.code())
                    .setErrorMessage("preferred leader " + change.preferred() + ": " + change.result());
        };
    }

    CompletableFuture<AlterPartitionReassignmentsResponse> alterPartitionReassignments(KafkaRequest request) {
        AlterPartitionReassignmentsRequestData req = ((AlterPartitionReassignmentsRequest) request.body()).data();
        AlterPartitionReassignmentsResponseData data = new AlterPartitionReassignmentsResponseData()
                .setAllowReplicationFactorChange(req.allowReplicationFactorChange());
        if (!mayCluster(Operation.ALTER)) {
            return CompletableFuture.completedFuture(new AlterPartitionReassignmentsResponse(
                    data.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())));
        }
        for (AlterPartitionReassignmentsRequestData.ReassignableTopic t : req.topics()) {
            ReassignableTopicResponse topicResponse = new ReassignableTopicResponse().setName(t.name());
            for (AlterPartitionReassignmentsRequestData.ReassignablePartition p : t.partitions()) {
                topicResponse.partitions().add(alter(t.name(), p.partitionIndex(), p.replicas(),
                        req.allowReplicationFactorChange()));
            }
            data.responses().add(topicResponse);
        }
        return CompletableFuture.completedFuture(new AlterPartitionReassignmentsResponse(data));
    }

    private ReassignablePartitionResponse alter(String topic, int partition, List<Integer> replicas,
                                                boolean allowFactorChange) {
        ReassignablePartitionResponse out = new ReassignablePartitionResponse().setPartitionIndex(partition)
                .setErrorCode(Errors.NONE.code());
        try {
            if (replicas == null) {
                cluster.cancelReassignment(topic, partition);
                return out;
            }
            int current = cluster.replicas(topics.registry().checkPartition(topic, partition), partition).size();
            if (!allowFactorChange && replicas.size() != current) {
                return out.setErrorCode(Errors.INVALID_REPLICATION_FACTOR.code()).setErrorMessage(topic + "-"
                        + partition + " has " + current + " replicas; the request names " + replicas.size()
                        + " and does not allow a change of replication factor");
            }
            cluster.reassign(List.of(new Reassignments.Move(topic, partition, replicas)));
            return out;
        } catch (RuntimeException e) {
            Errors error = KafkaErrors.of(e);
            return out.setErrorCode((error == Errors.INVALID_REQUEST ? Errors.INVALID_REPLICA_ASSIGNMENT : error).code())
                    .setErrorMessage(e.getMessage());
        }
    }

    CompletableFuture<ListPartitionReassignmentsResponse> listPartitionReassignments(KafkaRequest request) {
        ListPartitionReassignmentsRequestData req = ((ListPartitionReassignmentsRequest) request.body()).data();
        ListPartitionReassignmentsResponseData data = new ListPartitionReassignmentsResponseData();
        if (!mayCluster(Operation.DESCRIBE)) {
            return CompletableFuture.completedFuture(new ListPartitionReassignmentsResponse(
                    data.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())));
        }
        Map<String, OngoingTopicReassignment> byTopic = new LinkedHashMap<>();
        for (Reassignments.Running r : cluster.reassignments()) {
            if (req.topics() != null && req.topics().stream().noneMatch(
                    t -> t.name().equals(r.topic()) && t.partitionIndexes().contains(r.partition()))) {
                continue;
            }
            List<Integer> target = r.target() == null ? r.replicas() : r.target();
            List<Integer> before = r.original() != null ? r.original()
                    : r.replicas().stream().filter(n -> !target.contains(n)).toList(); // moves of earlier versions
            byTopic.computeIfAbsent(r.topic(), name -> new OngoingTopicReassignment().setName(name)).partitions()
                    .add(new OngoingPartitionReassignment().setPartitionIndex(r.partition()).setReplicas(r.replicas())
                            .setAddingReplicas(target.stream().filter(n -> !before.contains(n)).toList())
                            .setRemovingReplicas(before.stream().filter(n -> !target.contains(n)).toList()));
        }
        data.setTopics(new ArrayList<>(byTopic.values()));
        return CompletableFuture.completedFuture(new ListPartitionReassignmentsResponse(data));
    }
}
