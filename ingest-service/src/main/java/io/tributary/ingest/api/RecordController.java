package io.tributary.ingest.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tributary.ingest.acl.AccessControl;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.produce.ProducerIds;
import io.tributary.ingest.security.Principals;
import io.tributary.ingest.fetch.FetchPosition;
import io.tributary.ingest.fetch.FetchService;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.produce.IdempotencyKeys;
import io.tributary.ingest.produce.InvalidProduceRequestException;
import io.tributary.ingest.produce.ProduceRequest;
import io.tributary.ingest.produce.ProduceRequestParser;
import io.tributary.ingest.produce.ProduceResponse;
import io.tributary.ingest.produce.ProduceService;
import io.tributary.ingest.topic.TopicRegistry;
import io.tributary.support.problem.ProblemResponses;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.problem.InvalidRequestException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@Tag(name = "Records", description = "Produce records, fetch them by offset, look up offsets")
@ProblemResponses({ProblemType.AUTHORIZATION_FAILED, ProblemType.NODE_NOT_READY})
@RestController
@RequestMapping("/api/v1/topics/{topic}")
class RecordController {

    static final String NDJSON = "application/x-ndjson";

    private final ProduceService produce;
    private final FetchService fetch;
    private final IdempotencyKeys idempotencyKeys;
    private final TopicRegistry topics;
    private final IngestProperties props;

    private final ProducerIds producerIds;
    private final AccessControl access;

    RecordController(ProduceService produce, FetchService fetch, IdempotencyKeys idempotencyKeys,
                     TopicRegistry topics, IngestProperties props, ProducerIds producerIds, AccessControl access) {
        this.producerIds = producerIds;
        this.access = access;
        this.produce = produce;
        this.fetch = fetch;
        this.idempotencyKeys = idempotencyKeys;
        this.topics = topics;
        this.props = props;
    }

    @Operation(summary = "Produce records",
            description = "All or nothing: either every record is written or none is. Keys choose partitions with "
                    + "Kafka's murmur2 partitioner. Also accepts application/x-ndjson (one record object per line; "
                    + "acks and producer fields as query parameters). An Idempotency-Key header makes a retry "
                    + "return the original offsets without writing again.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = RecordDocs.ProduceRequestDoc.class)),
                    @Content(mediaType = NDJSON, schema = @Schema(implementation = RecordDocs.ProducedRecordDoc.class))}),
            responses = {
                    @ApiResponse(responseCode = "200", description = "written"),
                    @ApiResponse(responseCode = "400", description = "malformed body or record",
                            content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "404", description = "unknown topic",
                            content = @Content(mediaType = "application/problem+json")),
                    @ApiResponse(responseCode = "409", description = "fenced producer or sequence error",
                            content = @Content(mediaType = "application/problem+json"))})
    @ProblemResponses({ProblemType.UNKNOWN_TOPIC, ProblemType.INVALID_RECORD, ProblemType.RECORD_TOO_LARGE,
            ProblemType.UNSUPPORTED_MEDIA_TYPE, ProblemType.PRODUCER_FENCED, ProblemType.OUT_OF_ORDER_SEQUENCE,
            ProblemType.DUPLICATE_SEQUENCE, ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.LIMIT_REACHED,
            ProblemType.NOT_ENOUGH_REPLICAS, ProblemType.STORAGE_ERROR})
    @PostMapping(path = "/records", consumes = {MediaType.APPLICATION_JSON_VALUE, NDJSON},
            produces = MediaType.APPLICATION_JSON_VALUE)
    ProduceResponse produce(@PathVariable String topic, HttpServletRequest http,
                            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
                            @Parameter(description = "NDJSON only: all (the default; -1 too)") @RequestParam(required = false) String acks,
                            @Parameter(description = "NDJSON only") @RequestParam(required = false) Long producerId,
                            @Parameter(description = "NDJSON only") @RequestParam(required = false) Short producerEpoch,
                            @Parameter(description = "NDJSON only") @RequestParam(required = false) Long baseSequence)
            throws IOException {
        topics.get(topic); // an unknown topic is a 404 before the body is read
        byte[] body = readBody(http);
        boolean ndjson = http.getContentType() != null && http.getContentType().startsWith(NDJSON);
        ProduceRequestParser.Limits limits = ProduceRequestParser.Limits.of(props.produce(), System.currentTimeMillis());
        ProduceRequest request = ndjson
                ? ProduceRequestParser.parseNdjson(body, limits, acks, producerId, producerEpoch, baseSequence)
                : ProduceRequestParser.parseJson(body, limits);
        // TOPIC WRITE was checked by the route; writing as a named producer also needs PRODUCER WRITE on its name.
        String producerName = request.producerId() == null ? null : producerIds.nameOf(request.producerId());
        if (producerName != null) {
            access.requireProducer(http, producerName);
        }
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            return produce.produce(topic, request);
        }
        CRC32C crc = new CRC32C();
        crc.update(body);
        return idempotencyKeys.once(Principals.name(http), topic, idempotencyKey, crc.getValue(),
                key -> produce.produce(topic, request, key));
    }

    private byte[] readBody(HttpServletRequest http) throws IOException {
        int limit = props.produce().maxRequestBytes();
        long declared = http.getContentLengthLong();
        if (declared > limit) {
            throw new PayloadTooLargeException(declared, limit);
        }
        try (InputStream in = http.getInputStream()) {
            // Never start above the limit: the overflow check below only runs once the buffer is full.
            byte[] buf = new byte[declared > 0 ? (int) declared : Math.min(64 * 1024, limit)];
            int len = 0;
            int n;
            while ((n = in.read(buf, len, buf.length - len)) >= 0) {
                len += n;
                if (len == buf.length) {
                    // A full buffer is usually the whole body (sized by Content-Length): look for its end before
                    // growing, so that the common case copies nothing.
                    int next = in.read();
                    if (next < 0) {
                        break;
                    }
                    if (buf.length >= limit) {
                        throw new PayloadTooLargeException(limit + 1L, limit);
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, limit));
                    buf[len++] = (byte) next;
                }
            }
            if (len == 0) {
                throw new InvalidProduceRequestException("the request body is empty");
            }
            return len == buf.length ? buf : Arrays.copyOf(buf, len);
        }
    }

    @Operation(summary = "Fetch records of a partition",
            description = "Returns records from offset, up to maxRecords and about maxBytes (at least one record "
                    + "when any is there). With maxWaitMs, waits until data arrives or the time is up. "
                    + "416 with logStartOffset/logEndOffset when the offset is out of range.",
            responses = {
                    @ApiResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = RecordDocs.FetchResponseDoc.class))),
                    @ApiResponse(responseCode = "416", description = "offset out of range",
                            content = @Content(mediaType = "application/problem+json"))})
    @ProblemResponses({ProblemType.UNKNOWN_TOPIC, ProblemType.OFFSET_OUT_OF_RANGE, ProblemType.NOT_ACCEPTABLE,
            ProblemType.PARTITION_NOT_HOSTED, ProblemType.STORAGE_ERROR})
    @GetMapping(path = "/partitions/{partition}/records", produces = MediaType.APPLICATION_JSON_VALUE)
    CompletableFuture<ResponseEntity<byte[]>> fetch(@PathVariable String topic, @PathVariable int partition,
                                                    @RequestParam long offset,
                                                    @RequestParam(required = false) Integer maxRecords,
                                                    @RequestParam(required = false) Integer maxBytes,
                                                    @RequestParam(defaultValue = "0") long maxWaitMs) {
        FetchLimits limits = FetchLimits.of(maxRecords, maxBytes, maxWaitMs, props.fetch());
        topics.checkPartition(topic, partition);
        return fetch.fetch(new FetchPosition(topic, partition, offset), limits.maxRecords(), limits.maxBytes(),
                        limits.maxWaitMs())
                .thenApply(f -> ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                        .body(RecordsJson.partitionFetch(f)));
    }

    @Operation(summary = "Look up an offset", description = "at=earliest: the first stored offset; at=latest: the "
            + "high watermark (next offset to be readable); at=<epoch millis>: the first offset whose timestamp is at "
            + "or after it (the high watermark when none is).")
    @ProblemResponses({ProblemType.UNKNOWN_TOPIC, ProblemType.PARTITION_NOT_HOSTED})
    @GetMapping("/partitions/{partition}/offsets")
    TopicDtos.OffsetAnswer offsets(@PathVariable String topic, @PathVariable int partition,
                                   @RequestParam(defaultValue = "latest") String at) {
        PartitionLog log = topics.partition(topic, partition);
        return switch (at) {
            case "earliest" -> new TopicDtos.OffsetAnswer(partition, log.logStartOffset(), -1);
            // On a cluster, bounds() first catches this replica up with its leader (read your writes).
            case "latest" -> new TopicDtos.OffsetAnswer(partition, fetch.bounds(topic, partition).highWatermark(), -1);
            default -> {
                long ts;
                try {
                    ts = Long.parseLong(at);
                } catch (NumberFormatException e) {
                    throw new InvalidRequestException("at must be earliest, latest or epoch milliseconds, was " + at);
                }
                if (ts < 0) {
                    throw new InvalidRequestException("at must be a non-negative timestamp, was " + at);
                }
                fetch.bounds(topic, partition); // the read barrier, as for latest
                yield new TopicDtos.OffsetAnswer(partition, log.offsetForTimestamp(ts), ts);
            }
        };
    }
}
