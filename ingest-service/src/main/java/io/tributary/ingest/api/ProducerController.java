package io.tributary.ingest.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;

import io.tributary.ingest.acl.AccessControl;
import io.tributary.ingest.cluster.ClusterOps;
import io.tributary.ingest.log.PartitionLog;
import jakarta.servlet.http.HttpServletRequest;
import io.tributary.ingest.produce.ProducerIds;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.support.problem.ProblemResponses;
import io.tributary.problem.ProblemType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Producers", description = "Identities for idempotent producers")
@ProblemResponses({ProblemType.AUTHORIZATION_FAILED, ProblemType.NODE_NOT_READY})
@RestController
@RequestMapping("/api/v1/producers")
class ProducerController {

    @Schema(description = "Optional stable name: the same name gets the same id with a higher epoch, fencing "
            + "earlier holders; sequences of a named producer must keep increasing across epochs")
    record InitProducerRequest(@Schema(example = "clean-orders-0") String name) {
    }

    @Schema(description = "The identity to put on produce requests")
    record InitProducerResponse(@Schema(example = "17") long producerId, @Schema(example = "0") short producerEpoch) {
    }

    @Schema(description = "The last sequence a producer wrote to each partition of a topic (-1: none remembered)")
    record SequencesResponse(long producerId, String topic, List<PartitionSequence> partitions) {
    }

    record PartitionSequence(int partition, long lastSequence) {
    }

    private final TopicRegistry topics;
    /** Hands out identities: locally, or through the metadata group on a cluster. */
    private final ClusterOps cluster;
    private final AccessControl access;

    ProducerController(TopicRegistry topics, ClusterOps cluster, AccessControl access) {
        this.access = access;
        this.topics = topics;
        this.cluster = cluster;
    }

    @Operation(summary = "Get an idempotent producer identity",
            description = "A named identity needs PRODUCER WRITE on the name (403 authorization-failed otherwise).")
    @ProblemResponses({ProblemType.LIMIT_REACHED, ProblemType.NOT_ENOUGH_REPLICAS})
    @PostMapping
    InitProducerResponse init(@RequestBody(required = false) InitProducerRequest request, HttpServletRequest http) {
        String name = request == null ? null : request.name();
        if (name != null && !name.isBlank()) {
            access.requireProducer(http, name);
        }
        ProducerIds.Identity identity = cluster.initProducer(name);
        return new InitProducerResponse(identity.producerId(), identity.producerEpoch());
    }

    @Operation(summary = "Last sequences of a producer",
            description = "What a producer already wrote to each partition of a topic. A writer that numbers records "
                    + "by their source offsets asks this after a restart and skips what is already there.")
    @ProblemResponses({ProblemType.UNKNOWN_TOPIC})
    @GetMapping("/{producerId}/sequences")
    SequencesResponse sequences(@PathVariable long producerId, @RequestParam String topic) {
        List<PartitionLog> logs = topics.get(topic).partitions();
        List<PartitionSequence> partitions = new java.util.ArrayList<>(logs.size());
        for (int p = 0; p < logs.size(); p++) {
            // -1 (none remembered) for a partition this node hosts no replica of.
            partitions.add(new PartitionSequence(p, logs.get(p) == null ? -1 : logs.get(p).lastSequence(producerId)));
        }
        return new SequencesResponse(producerId, topic, partitions);
    }
}
