package io.tributary.ingest.replication.forward;

import java.io.Closeable;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.tributary.ingest.kafka.ForwardedAppend;

/**
 * Produced batches sent on to the node that leads (or holds the only replica of) their partition, over that
 * node's replication listener ({@link ForwardedAppend}): one connection per peer, requests pipelined on it
 * (the listener starts them in order, each once the one before has handed its batch over), so a batch costs one
 * write and one read on connections already open. A connection that failed is replaced at the next forward; a
 * peer that cannot be connected to fails that forward with a ConnectException (nothing was sent).
 */
public final class AppendForwarder implements Closeable {

    private final int self;
    private final Duration connectTimeout;
    private final Map<Integer, PeerConnection> connections = new ConcurrentHashMap<>();
    /** Per peer: opening its connection, one thread at a time. */
    private final Map<Integer, Object> opening = new ConcurrentHashMap<>();
    private final Map<Integer, Failure> failures = new ConcurrentHashMap<>();
    private final ExecutorService completions = Executors.newVirtualThreadPerTaskExecutor();

    public AppendForwarder(int self, Duration connectTimeout) {
        this.self = self;
        this.connectTimeout = connectTimeout;
    }

    /**
     * The answer of node {@code peer}, listening at {@code address} (resolved or not: it is used only to open a
     * connection), to one forwarded part; failed with a
     * TimeoutException after {@code timeout}. A connection on which nothing was answered since such a forward
     * was sent is taken for dead (a peer whose machine went away without closing it) and closed.
     */
    public CompletableFuture<Answer> send(int peer, InetSocketAddress address, ForwardedAppend append,
                                          Duration timeout) {
        PeerConnection connection;
        try {
            connection = connection(peer, address);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        long sent = System.nanoTime();
        // Closed before the caller learns of the timeout: its next forward takes a new connection.
        return connection.send(append).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((a, e) -> {
            if (e instanceof TimeoutException && connection.silentSince(sent)) {
                connection.close(new IOException("nothing answered on it for " + timeout.toMillis() + " ms"));
            }
        });
    }

    private PeerConnection connection(int peer, InetSocketAddress address) throws IOException {
        PeerConnection open = connections.get(peer);
        if (open != null && !open.closed()) {
            return open;
        }
        long asked = System.nanoTime();
        synchronized (opening.computeIfAbsent(peer, id -> new Object())) {
            open = connections.get(peer);
            if (open != null && !open.closed()) {
                return open;
            }
            // A peer that does not answer holds each attempt for the whole connect timeout: the forwards that
            // waited for an attempt that failed meanwhile fail with it rather than each trying again in turn.
            Failure failure = failures.get(peer);
            if (failure != null && failure.at() - asked > 0) {
                throw new ConnectException(failure.why());
            }
            try {
                open = new PeerConnection(address, "replica-forward-" + self + "-to-" + peer, connectTimeout,
                        completions);
            } catch (IOException e) {
                failures.put(peer, new Failure(System.nanoTime(), address + ": " + e.getMessage()));
                throw e;
            }
            connections.put(peer, open);
            return open;
        }
    }

    /** The latest failed connect to a peer: when ({@link System#nanoTime}) and why. */
    private record Failure(long at, String why) {
    }

    /**
     * A peer's answer: {@code errorCode} 0 and the apply reply's bytes, or another code and the problem
     * document that refused the batch ({@link ForwardedAppend}).
     */
    public record Answer(short errorCode, byte[] data) {
    }

    @Override
    public void close() {
        connections.values().forEach(c -> c.close(new IOException("this node stops")));
        completions.shutdown();
    }
}
