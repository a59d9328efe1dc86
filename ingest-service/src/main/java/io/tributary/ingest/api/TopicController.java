package io.tributary.ingest.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.ingest.acl.AccessControl;
import io.tributary.ingest.acl.ResourceType;
import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.cluster.PartitionView;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.fetch.FetchService;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.ingest.topic.TopicNames;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.support.problem.ProblemResponses;
import io.tributary.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

@Tag(name = "Topics", description = "Create, inspect, reconfigure and delete topics")
@ProblemResponses({ProblemType.AUTHORIZATION_FAILED, ProblemType.NODE_NOT_READY})
@RestController
@RequestMapping("/api/v1/topics")
class TopicController {

    private final TopicRegistry topics;
    private final IngestProperties props;
    /** Topic changes and partition views: local, or through the Raft groups on a cluster. */
    private final ClusterOps cluster;
    private final FetchService fetch;
    /** How long describe waits for its replicas to catch up with their leaders. */
    private static final long DESCRIBE_CATCH_UP_MS = 1000;
    private final AccessControl access;

    TopicController(TopicRegistry topics, IngestProperties props, ClusterOps cluster, AccessControl access,
                    FetchService fetch) {
        this.fetch = fetch;
        this.access = access;
        this.topics = topics;
        this.props = props;
        this.cluster = cluster;
    }

    @Operation(summary = "Create a topic", description = "201 with the topic; 409 if it exists; 400 for a bad name, "
            + "partition count, replication factor or config.")
    @ProblemResponses({ProblemType.INVALID_TOPIC, ProblemType.INVALID_CONFIG, ProblemType.TOPIC_EXISTS,
            ProblemType.LIMIT_REACHED, ProblemType.NOT_ENOUGH_REPLICAS})
    @PostMapping
    ResponseEntity<TopicDtos.TopicDescription> create(@Valid @RequestBody TopicDtos.CreateTopicRequest request,
                                                      UriComponentsBuilder uri, HttpServletRequest http) {
        if (!TopicNames.isInternal(request.name())) { // an internal name is refused as invalid (400) below
            access.requireTopicCreate(http, request.name());
        }
        int partitions = request.partitions() == null ? props.defaultPartitions() : request.partitions();
        int rf = request.replicationFactor() == null ? props.defaultReplicationFactor() : request.replicationFactor();
        Map<String, String> configs = request.configs() == null ? Map.of() : request.configs();
        TopicRegistry.Topic topic = cluster.createTopic(request.name(), partitions, rf, configs);
        return ResponseEntity.created(uri.path("/api/v1/topics/{name}").build(topic.name()))
                .body(describe(topic));
    }

    @Operation(summary = "List topics", description = "Only the topics the caller may describe.")
    @GetMapping
    TopicDtos.TopicList list(HttpServletRequest http) {
        return new TopicDtos.TopicList(topics.list().stream()
                .filter(t -> access.canDescribe(http, ResourceType.TOPIC, t.name())).map(this::describe).toList());
    }

    @Operation(summary = "Describe a topic", description = "Per partition: leader, replicas, in-sync replicas, "
            + "log start offset, high watermark, log end offset.")
    @ProblemResponses({ProblemType.UNKNOWN_TOPIC})
    @GetMapping("/{topic}")
    TopicDtos.TopicDescription describe(@PathVariable String topic) {
        return describe(topics.get(topic));
    }

    @Operation(summary = "Change topic configs", description = "Merges the given overrides; a null value resets a "
            + "key to its default. Takes effect at once on every partition.")
    @ProblemResponses({ProblemType.UNKNOWN_TOPIC, ProblemType.INVALID_CONFIG, ProblemType.NOT_ENOUGH_REPLICAS})
    @PatchMapping("/{topic}/configs")
    TopicDtos.TopicDescription updateConfigs(@PathVariable String topic,
                                             @Valid @RequestBody TopicDtos.UpdateConfigsRequest request) {
        return describe(cluster.updateConfigs(topic, request.configs()));
    }

    @ProblemResponses({ProblemType.UNKNOWN_TOPIC, ProblemType.NOT_ENOUGH_REPLICAS})
    @Operation(summary = "Delete a topic and all its records")
    @DeleteMapping("/{topic}")
    ResponseEntity<Void> delete(@PathVariable String topic) {
        cluster.deleteTopic(topic);
        return ResponseEntity.status(HttpStatus.NO_CONTENT).build();
    }

    private TopicDtos.TopicDescription describe(TopicRegistry.Topic topic) {
        // The offsets a hosting node shows are its replica's; let every replica here catch up with its
        // leader first (read barriers, all at once), but wait only briefly: a replica that is
        // rebuilding or cut off shows its own offsets rather than holding describe up.
        List<CompletableFuture<Void>> barriers = new ArrayList<>();
        for (int p = 0; p < topic.partitions().size(); p++) {
            if (cluster.servesReads(topic, p)) {
                barriers.add(cluster.catchUp(topic, p).exceptionally(e -> null));
            }
        }
        CompletableFuture.allOf(barriers.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, DESCRIBE_CATCH_UP_MS, TimeUnit.MILLISECONDS).join();
        List<TopicDtos.PartitionDescription> partitions = new ArrayList<>(topic.partitions().size());
        for (int p = 0; p < topic.partitions().size(); p++) {
            partitions.add(partition(topic, p));
        }
        Map<String, String> effective = new TreeMap<>(LogConfig.DEFAULTS);
        effective.putAll(topic.metadata().configs());
        return new TopicDtos.TopicDescription(topic.name(), topic.metadata().topicId(), topic.partitions().size(),
                topic.metadata().replicationFactor(), topic.metadata().internal(),
                new LinkedHashMap<>(new TreeMap<>(topic.metadata().configs())), effective, partitions);
    }

    private TopicDtos.PartitionDescription partition(TopicRegistry.Topic topic, int partition) {
        PartitionView v = cluster.view(topic, partition);
        PartitionLog log = topic.partitions().get(partition);
        if (cluster.servesReads(topic, partition)) {
            return new TopicDtos.PartitionDescription(partition, v.leader(), v.replicas(), v.inSyncReplicas(),
                    log.logStartOffset(), log.highWatermark(), log.logEndOffset(), log.sizeInBytes(),
                    log.segmentCount());
        }
        // No (working) replica here: a replica's offsets; 0s when none answers. Sizes are local facts.
        FetchResult bounds;
        try {
            bounds = fetch.bounds(topic.name(), partition);
        } catch (ProblemException e) {
            bounds = new FetchResult(List.of(), 0, 0, 0);
        }
        return new TopicDtos.PartitionDescription(partition, v.leader(), v.replicas(), v.inSyncReplicas(),
                bounds.logStartOffset(), bounds.highWatermark(), bounds.logEndOffset(), 0, 0);
    }
}
