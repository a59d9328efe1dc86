package io.tributary.ingest.kafka;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order of a connection's requests: consecutive produce requests are in flight together (the
 * second starts while the first is unanswered, so their batches can share a Raft entry), answers
 * still leave in request order, and any other request starts only once everything before it was
 * answered.
 */
class KafkaConnectionOrderTest {

    private static final short PRODUCE_VERSION = 9;
    private static final short METADATA_VERSION = 12;

    private final List<String> started = new ArrayList<>();
    private final List<CompletableFuture<ProduceResponse>> produces = new ArrayList<>();
    private EmbeddedChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private void open() {
        KafkaApis apis = new KafkaApis(new KafkaEndpoint(1, "localhost", 9092));
        apis.register(ApiKeys.PRODUCE, request -> {
            started.add("produce-" + request.header().correlationId());
            CompletableFuture<ProduceResponse> answer = new CompletableFuture<>();
            produces.add(answer);
            return answer;
        });
        apis.register(ApiKeys.METADATA, request -> {
            started.add("metadata-" + request.header().correlationId());
            return CompletableFuture.completedFuture(new MetadataResponse(new MetadataResponseData(), METADATA_VERSION));
        });
        channel = new EmbeddedChannel(new KafkaConnection(apis, Runnable::run)) {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("127.0.0.1", 40000); // the connection names its client by it
            }
        };
    }

    @Test
    void producesOverlapAnswersKeepTheirOrderAndOtherRequestsWait() {
        open();
        send(produce(), PRODUCE_VERSION, 1);
        send(produce(), PRODUCE_VERSION, 2);
        send(metadata(), METADATA_VERSION, 3);
        send(produce(), PRODUCE_VERSION, 4);

        // The second produce started with the first unanswered; the metadata request waits for both.
        assertThat(started).containsExactly("produce-1", "produce-2");
        assertThat(answeredCorrelationIds()).isEmpty();

        // The second is appended first: its answer waits for the first's.
        produces.get(1).complete(new ProduceResponse(new ProduceResponseData()));
        channel.runPendingTasks();
        assertThat(answeredCorrelationIds()).isEmpty();
        assertThat(started).containsExactly("produce-1", "produce-2");

        // The first is answered: both answers leave in order, then the metadata request runs and is
        // answered; the produce after it started only once the metadata request was answered.
        produces.get(0).complete(new ProduceResponse(new ProduceResponseData()));
        channel.runPendingTasks();
        assertThat(started).containsExactly("produce-1", "produce-2", "metadata-3", "produce-4");
        assertThat(answeredCorrelationIds()).containsExactly(1, 2, 3);

        produces.get(2).complete(new ProduceResponse(new ProduceResponseData()));
        channel.runPendingTasks();
        assertThat(answeredCorrelationIds()).containsExactly(4);
    }

    @Test
    void aFailedProduceIsAnsweredAndTheNextOneStillRuns() {
        open();
        send(produce(), PRODUCE_VERSION, 1);
        send(produce(), PRODUCE_VERSION, 2);
        produces.get(0).completeExceptionally(new IllegalStateException("storage failed"));
        produces.get(1).complete(new ProduceResponse(new ProduceResponseData()));
        channel.runPendingTasks();
        assertThat(started).containsExactly("produce-1", "produce-2");
        assertThat(answeredCorrelationIds()).containsExactly(1, 2);
        assertThat(channel.isOpen()).isTrue();
    }

    private static ProduceRequest produce() {
        return ProduceRequest.builder(new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000))
                .build(PRODUCE_VERSION);
    }

    private static MetadataRequest metadata() {
        return new MetadataRequest.Builder(new MetadataRequestData()).build(METADATA_VERSION);
    }

    private void send(AbstractRequest request, short version, int correlationId) {
        ByteBuffer frame = request.serializeWithHeader(
                new RequestHeader(request.apiKey(), version, "order-test", correlationId));
        channel.writeInbound(Unpooled.wrappedBuffer(frame));
        channel.runPendingTasks();
    }

    /** The correlation ids of the answers written since the last call, in the order they were written. */
    private List<Integer> answeredCorrelationIds() {
        ByteBuf out = Unpooled.buffer();
        for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
            ByteBuf b = (ByteBuf) o;
            out.writeBytes(b);
            b.release();
        }
        List<Integer> ids = new ArrayList<>();
        while (out.readableBytes() >= 8) {
            int size = out.readInt();
            ids.add(out.getInt(out.readerIndex()));
            out.skipBytes(size);
        }
        out.release();
        return ids;
    }
}
