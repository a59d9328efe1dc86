package io.tributary.ingest.kafka;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.EnvelopeRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. Frames arrive whole (the frame decoder before this handler); each is
 * parsed here with kafka-clients' classes and run on the request threads, started one after the
 * other in the order they came and answered in that order (a client matches answers to requests by
 * order as well as correlation id, and a producer's pipelined batches must be appended in the order
 * sent); consecutive produce requests are in flight together (see {@link #channelRead0}). A
 * connection with {@value #MAX_PENDING} requests unanswered stops being read until one is answered.
 *
 * <p>Wire format of an answer: a 4-byte big-endian size, the response header (correlation id, and
 * tagged fields from header version 1) and the body in the request's version ({@link ResponseWriter};
 * a Fetch answer's records are sent from the segment files between the buffer's slices).
 */
final class KafkaConnection extends SimpleChannelInboundHandler<ByteBuf> {

    private static final Logger log = LoggerFactory.getLogger(KafkaConnection.class);
    static final int MAX_PENDING = 32;

    private final KafkaApis apis;
    private final Executor requests;
    /** Answers not yet written, oldest first; touched on this channel's event loop only. */
    private final ArrayDeque<CompletableFuture<EncodedAnswer>> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** Completes when the connection's last request may be followed by the next one. Event loop only. */
    private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
    /** Completes when every request so far has been answered. Event loop only. */
    private CompletableFuture<Void> answered = CompletableFuture.completedFuture(null);
    /** Whether the last request was a produce. Event loop only. */
    private boolean previousProduce;

    KafkaConnection(KafkaApis apis, Executor requests) {
        this.apis = apis;
        this.requests = requests;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        // Copied out of Netty's buffer: produce records are kept as views of it until they are appended.
        ByteBuffer buffer = ByteBuffer.allocate(frame.readableBytes());
        frame.readBytes(buffer);
        buffer.flip();
        RequestHeader header;
        try {
            header = RequestHeader.parse(buffer);
        } catch (RuntimeException e) {
            // An unknown API key or a header that does not parse: Kafka closes such a connection.
            log.debug("closing Kafka connection from {}: unreadable request header: {}", ctx.channel().remoteAddress(),
                    e.toString());
            ctx.close();
            return;
        }
        CompletableFuture<EncodedAnswer> answer = new CompletableFuture<>();
        pending.add(answer);
        answer.whenComplete((b, e) -> ctx.executor().execute(this::writeReady));
        if (pending.size() >= MAX_PENDING) {
            ctx.channel().config().setAutoRead(false);
        }
        if (!apis.supports(header.apiKey(), header.apiVersion())) {
            // As Kafka: ApiVersions is answered (so the client can pick a version we know), anything
            // else closes the connection. Checked before the body is parsed: the message classes
            // would read an unknown version with the newest schema.
            if (header.apiKey() == ApiKeys.API_VERSIONS) {
                answer.complete(unsupportedApiVersions(header));
            } else {
                log.debug("closing Kafka connection from {}: {} v{} is not supported", ctx.channel().remoteAddress(),
                        header.apiKey(), header.apiVersion());
                answer.complete(null);
            }
            return;
        }
        AbstractRequest request;
        try {
            RequestAndSize parsed = AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(),
                    new ByteBufferAccessor(buffer));
            request = parsed.request;
        } catch (RuntimeException e) {
            log.debug("closing Kafka connection from {}: {} v{} does not parse: {}", ctx.channel().remoteAddress(),
                    header.apiKey(), header.apiVersion(), e.toString());
            ctx.close();
            return;
        }
        KafkaRequest req = new KafkaRequest(header, request, (InetSocketAddress) ctx.channel().remoteAddress());
        // Requests of a connection start one after the other, in order, as in Kafka: a producer's
        // pipelined batches of a partition must be appended in the order it sent them (their
        // sequences). A request starts once the one before was answered, except a produce after a
        // produce: it starts once the one before has handed its batches over (ProduceApi), so that
        // the producer's batches in flight are on their way together and can share a Raft entry. A batch a peer
        // forwards (Envelope, the replication listener) is a produce too: its node sends them down one connection.
        boolean produce = request instanceof ProduceRequest || request instanceof EnvelopeRequest;
        CompletableFuture<Void> after = produce && previousProduce ? previous : answered;
        CompletableFuture<CompletableFuture<Void>> started = after.handle((v, e) -> null)
                .thenApplyAsync(v -> run(req, answer), requests);
        previous = started.thenApply(done -> null);
        answered = CompletableFuture.allOf(answered, started.thenCompose(done -> done));
        previousProduce = produce;
    }

    /**
     * Starts one request: returns once it has started (for a produce: its batches are handed over),
     * with a future that completes once it is answered.
     */
    private CompletableFuture<Void> run(KafkaRequest req, CompletableFuture<EncodedAnswer> answer) {
        CompletableFuture<? extends AbstractResponse> response;
        try {
            response = apis.handle(req);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return response.handle((r, e) -> {
            try {
                AbstractResponse out = r;
                if (e != null) {
                    log.warn("Kafka {} v{} from {} failed", req.header().apiKey(), req.header().apiVersion(),
                            req.client(), e);
                    out = req.body().getErrorResponse(AbstractResponse.DEFAULT_THROTTLE_TIME, e);
                }
                boolean noAnswer = req.body() instanceof ProduceRequest p && p.acks() == 0;
                answer.complete(noAnswer ? EncodedAnswer.NONE : ResponseWriter.encode(ctx.alloc(),
                        req.header().toResponseHeader(), out.data(), req.header().apiVersion()));
            } catch (RuntimeException ex) {
                answer.completeExceptionally(ex);
            }
            return null;
        });
    }

    /** Writes the answers that are ready, in request order; on this channel's event loop. */
    private void writeReady() {
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().isDone()) {
            CompletableFuture<EncodedAnswer> head = pending.poll();
            EncodedAnswer out;
            try {
                out = head.join();
            } catch (RuntimeException e) {
                log.warn("closing Kafka connection from {}: an answer could not be encoded",
                        ctx.channel().remoteAddress(), e);
                out = null;
            }
            if (out == null) {
                // Unanswerable (a request version we do not support) or unencodable: close, as Kafka does.
                ctx.close();
                releasePending();
                return;
            }
            if (!out.isEmpty()) {
                out.writeTo(ctx);
                wrote = true;
            }
        }
        if (wrote) {
            ctx.flush();
        }
        if (pending.size() < MAX_PENDING && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** The answers that will not be written (the connection closes): their buffers go back to the pool. */
    private void releasePending() {
        for (CompletableFuture<EncodedAnswer> answer : pending) {
            answer.thenAccept(b -> {
                if (b != null) {
                    b.release();
                }
            });
        }
        pending.clear();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releasePending();
        super.channelInactive(ctx);
    }

    /**
     * A client that asks ApiVersions in a version newer than ours gets Kafka's answer: version 0,
     * UNSUPPORTED_VERSION, and our ranges, so it can retry with one we know.
     */
    private EncodedAnswer unsupportedApiVersions(RequestHeader header) {
        ApiVersionsResponseData data = new ApiVersionsResponseData()
                .setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                .setApiKeys(apis.supportedVersions());
        return ResponseWriter.encode(ctx.alloc(), new ResponseHeader(header.correlationId(), (short) 0), data,
                (short) 0);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A frame over ingest.kafka.max-request-size, or the peer went away.
        log.debug("closing Kafka connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
