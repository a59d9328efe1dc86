package io.tributary.ingest.replication.fetch;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;

import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One follower's connection to a leader node's replication listener: a Fetch at a time, sent and
 * answered in Kafka's framing (a 4-byte size, then header and body as kafka-clients' message
 * classes write them). Blocking, on the fetcher's own thread; an answer's bytes are read into one
 * heap array, which the records of the answer are views of.
 */
final class ReplicaFetchClient implements Closeable {

    /** Both ends run the same kafka-clients: its newest Fetch version (topic ids, replica state). */
    static final short VERSION = ApiKeys.FETCH.latestVersion();

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final String clientId;
    private int correlationId;

    /**
     * @param readTimeout how long an answer may take beyond the fetch's own wait before the
     *                    connection counts as dead
     */
    ReplicaFetchClient(InetSocketAddress leader, int replicaId, Duration connectTimeout, Duration readTimeout)
            throws IOException {
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(leader, (int) connectTimeout.toMillis());
            socket.setSoTimeout((int) readTimeout.toMillis());
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 13));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        clientId = "replica-" + replicaId;
    }

    /** Sends one Fetch and waits for its answer. */
    FetchResponseData fetch(FetchRequestData request) throws IOException {
        RequestHeader header = new RequestHeader(ApiKeys.FETCH, VERSION, clientId, ++correlationId);
        ByteBuffer bytes = new FetchRequest(request, VERSION).serializeWithHeader(header);
        out.writeInt(bytes.remaining());
        out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        out.flush();
        int size = in.readInt();
        if (size < 0) {
            throw new IOException("an answer of " + size + " bytes from " + socket.getRemoteSocketAddress());
        }
        byte[] answer = new byte[size];
        in.readFully(answer);
        try {
            return ((FetchResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(answer), header)).data();
        } catch (RuntimeException e) {
            throw new IOException("an unreadable answer from " + socket.getRemoteSocketAddress() + ": " + e, e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
