package io.tributary.ingest.replication.forward;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import io.tributary.ingest.kafka.ForwardedAppend;
import io.tributary.ingest.replication.forward.AppendForwarder.Answer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.EnvelopeRequest;
import org.apache.kafka.common.requests.EnvelopeResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * One connection to a peer's replication listener carrying forwarded batches: requests written one after the
 * other by the threads that forward (Kafka's framing: a 4-byte size, the header, the Envelope body), answers read
 * by this connection's own thread and matched to their requests by correlation id. Once it fails (the peer went
 * away, an answer did not parse) it is closed for good and every request still waiting fails with an
 * IOException: it may or may not have been appended.
 */
final class PeerConnection {

    private static final short HEADER_VERSION = ApiKeys.ENVELOPE.responseHeaderVersion(ForwardedAppend.VERSION);

    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final String clientId;
    private final Executor completions;
    private final Map<Integer, CompletableFuture<Answer>> waiting = new ConcurrentHashMap<>();
    /** Guards the writes, the correlation ids and {@link #closed} against a request left waiting after a close. */
    private final Object writes = new Object();
    private int correlationId;
    private volatile boolean closed;
    /** When the latest answer was read ({@link System#nanoTime}). */
    private volatile long answeredAt = System.nanoTime();

    /**
     * Connects (an unresolved {@code peer} is looked up now); a peer that refuses or does not answer within
     * {@code connectTimeout} is a ConnectException (nothing was sent).
     */
    PeerConnection(InetSocketAddress peer, String name, Duration connectTimeout, Executor completions)
            throws IOException {
        this.clientId = name;
        this.completions = completions;
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(peer.isUnresolved() ? new InetSocketAddress(peer.getHostString(), peer.getPort()) : peer,
                    (int) connectTimeout.toMillis());
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 13));
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        } catch (SocketTimeoutException e) {
            socket.close();
            ConnectException timedOut = new ConnectException(peer + " not reached within " + connectTimeout.toMillis()
                    + " ms");
            timedOut.initCause(e);
            throw timedOut;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        Thread.ofPlatform().name(name).daemon().start(this::readAnswers);
    }

    boolean closed() {
        return closed;
    }

    /** Whether no answer came on this connection since {@code nanos} ({@link System#nanoTime}). */
    boolean silentSince(long nanos) {
        return answeredAt - nanos < 0;
    }

    /** Sends one forwarded batch; its answer, completed on {@code completions}. */
    CompletableFuture<Answer> send(ForwardedAppend append) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        ByteBuffer data = append.encode();
        synchronized (writes) {
            if (closed) {
                answer.completeExceptionally(new IOException("the connection to " + socket.getRemoteSocketAddress()
                        + " is closed"));
                return answer;
            }
            int id = ++correlationId;
            waiting.put(id, answer);
            RequestHeader header = new RequestHeader(ApiKeys.ENVELOPE, ForwardedAppend.VERSION, clientId, id);
            ByteBuffer bytes = new EnvelopeRequest.Builder(data, null, new byte[0]).build(ForwardedAppend.VERSION)
                    .serializeWithHeader(header);
            try {
                out.writeInt(bytes.remaining());
                out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
                out.flush();
            } catch (IOException e) {
                close(e);
            }
            answer.whenComplete((a, e) -> waiting.remove(id)); // also when the caller gives up waiting
        }
        return answer;
    }

    private void readAnswers() {
        try {
            while (true) {
                int size = in.readInt();
                if (size < 0) {
                    throw new IOException("an answer of " + size + " bytes");
                }
                byte[] frame = new byte[size];
                in.readFully(frame);
                answeredAt = System.nanoTime();
                ByteBuffer b = ByteBuffer.wrap(frame);
                ResponseHeader header = ResponseHeader.parse(b, HEADER_VERSION);
                EnvelopeResponse response = EnvelopeResponse.parse(new ByteBufferAccessor(b), ForwardedAppend.VERSION);
                CompletableFuture<Answer> answer = waiting.remove(header.correlationId());
                if (answer != null) {
                    Answer a = new Answer(response.data().errorCode(), bytes(response.responseData()));
                    complete(() -> answer.complete(a));
                }
            }
        } catch (IOException | RuntimeException e) {
            close(e);
        }
    }

    /** Off this connection's reader: what follows an answer must not hold up the next. Here once shut down. */
    private void complete(Runnable completion) {
        try {
            completions.execute(completion);
        } catch (RejectedExecutionException stopping) {
            completion.run();
        }
    }

    private static byte[] bytes(ByteBuffer data) {
        if (data == null) {
            return new byte[0];
        }
        byte[] out = new byte[data.remaining()];
        data.duplicate().get(out);
        return out;
    }

    /** Closes the connection (first the socket, which frees a writer stuck on it) and fails every waiting request. */
    void close(Throwable why) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        synchronized (writes) {
            closed = true;
        }
        IOException failure = new IOException("the connection to " + socket.getRemoteSocketAddress()
                + " failed; a batch sent on it may or may not have been appended: " + why, why);
        for (Integer id : waiting.keySet()) {
            CompletableFuture<Answer> answer = waiting.remove(id);
            if (answer != null) {
                complete(() -> answer.completeExceptionally(failure));
            }
        }
    }
}
