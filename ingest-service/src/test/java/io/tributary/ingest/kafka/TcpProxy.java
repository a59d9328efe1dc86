package io.tributary.ingest.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A TCP proxy on loopback in front of a Kafka listener, for network faults: it forwards both ways
 * until told to hold the answers (requests still reach the node), to stall (nothing is forwarded,
 * not even a close, and nothing is closed: a network that stopped delivering) or to cut every
 * connection at once. It counts the answers it holds (Kafka frames: a 4-byte size, then the
 * bytes). A connection the target refuses (the node is down) is closed at once.
 */
final class TcpProxy implements AutoCloseable {

    private record Link(Socket client, Socket server) {
        void close() {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private boolean holdRequests; // guarded by gate, as the two below
    private boolean holdAnswers;
    private int answersHeld;

    TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("tcp-proxy-accept", this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Answers stop (and are counted); requests go on to the node. */
    void holdAnswers() {
        synchronized (gate) {
            holdAnswers = true;
            answersHeld = 0;
        }
    }

    /** Nothing is forwarded either way, and no connection is closed. */
    void stall() {
        synchronized (gate) {
            holdRequests = true;
            holdAnswers = true;
        }
    }

    void resume() {
        synchronized (gate) {
            holdRequests = false;
            holdAnswers = false;
            gate.notifyAll();
        }
    }

    /** Whole answers read from the node since {@link #holdAnswers()}; none is passed on before {@link #resume()}. */
    int answersHeld() {
        synchronized (gate) {
            return answersHeld;
        }
    }

    /** Closes every connection open now (what they held is dropped); answers how many. */
    int cut() {
        int n = 0;
        for (Link link : links) {
            link.close();
            links.remove(link);
            n++;
        }
        synchronized (gate) {
            gate.notifyAll();
        }
        return n;
    }

    @Override
    public void close() {
        closeQuietly(listener);
        cut();
        resume();
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            Socket server = new Socket();
            try {
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2_000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            Link link = new Link(client, server);
            links.add(link);
            forward(link, client, server, true);
            forward(link, server, client, false);
        }
    }

    /** Bytes read from one side, held if that direction was held when they were read; null bytes: the end. */
    private record Chunk(byte[] bytes, boolean held) {
    }

    /**
     * One direction of a link: a reader that never stops reading (so held answers are counted as
     * they arrive) and a writer that passes chunks on in order, a held one once its direction
     * flows again. The end of the stream is a chunk too, so a close waits like data.
     */
    private void forward(Link link, Socket from, Socket to, boolean requests) {
        BlockingQueue<Chunk> chunks = new LinkedBlockingQueue<>();
        daemon("tcp-proxy-read", () -> {
            byte[] buf = new byte[64 * 1024];
            FrameCounter frames = new FrameCounter();
            int n = 0;
            while (n >= 0) {
                try {
                    n = from.getInputStream().read(buf);
                } catch (IOException e) {
                    n = -1; // cut, or the other side went away
                }
                int whole = n > 0 && !requests ? frames.add(buf, n) : 0;
                synchronized (gate) {
                    boolean held = requests ? holdRequests : holdAnswers;
                    answersHeld += held ? whole : 0;
                    chunks.add(new Chunk(n >= 0 ? Arrays.copyOf(buf, n) : null, held));
                }
            }
        });
        daemon("tcp-proxy-write", () -> {
            try {
                OutputStream out = to.getOutputStream();
                for (Chunk chunk = chunks.take(); ; chunk = chunks.take()) {
                    if (chunk.held()) {
                        awaitFlowing(requests, to);
                    }
                    if (chunk.bytes() == null) {
                        break;
                    }
                    out.write(chunk.bytes());
                }
            } catch (IOException | InterruptedException e) {
                // cut, or the other side went away
            } finally {
                link.close();
                links.remove(link);
            }
        });
    }

    private void awaitFlowing(boolean requests, Socket to) throws InterruptedException {
        synchronized (gate) {
            while ((requests ? holdRequests : holdAnswers) && !to.isClosed()) {
                gate.wait();
            }
        }
    }

    /** Counts the frames that end in each chunk read; a frame may span chunks. */
    private static final class FrameCounter {
        private int sizeBytes;
        private int remaining; // the size as its bytes arrive, then the bytes still to come

        int add(byte[] buf, int n) {
            int whole = 0;
            for (int i = 0; i < n; ) {
                if (sizeBytes < 4) {
                    remaining = remaining << 8 | buf[i++] & 0xff;
                    sizeBytes++;
                } else {
                    int take = Math.min(remaining, n - i);
                    i += take;
                    remaining -= take;
                }
                if (sizeBytes == 4 && remaining == 0) {
                    whole++;
                    sizeBytes = 0;
                }
            }
            return whole;
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
