package io.tributary.ingest.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** What the tests take from the machine: a free loopback port, a fresh data folder. */
public final class LocalResources {

    /** Lowest port handed out: above the well-known and most registered service ports. */
    private static final int LOWEST = 10_000;
    /** Ports handed out in this JVM: not handed out again (a cluster takes a dozen before it binds any). */
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private LocalResources() {
    }

    /**
     * A port nothing listens on now, for a server a test starts later (often seconds later, after
     * other nodes). It is drawn from below the kernel's ephemeral range on purpose: a port from
     * {@code new ServerSocket(0)} lies inside that range, and any outgoing connection made in the
     * meantime (a Raft peer dialling, an HTTP client) may be given it as its own local port, so the
     * server's bind fails, and a Raft server that cannot bind ends the JVM. Below the range, only
     * another listener can take the port, which the bind check here sees.
     */
    public static int freePort() {
        int ceiling = ephemeralLow();
        if (ceiling - LOWEST < 1_000) {
            return anyPort();
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = random.nextInt(LOWEST, ceiling);
            if (bindable(port) && GIVEN.add(port)) {
                return port;
            }
        }
        return anyPort();
    }

    /** A new empty folder in the test JVM's temp folder: the module's target/ (set by the build). */
    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The first port of the kernel's ephemeral range (Linux), else the IANA range's 49152. Read line by line:
     * {@code Files.readString} returned only "3" of this {@code /proc} file here.
     */
    static int ephemeralLow() {
        try {
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0)
                    .trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 49_152;
        }
    }

    /** Whether a listener could bind {@code port} right now (the wildcard bind clashes with any listener on it). */
    private static boolean bindable(int port) {
        try (ServerSocket ignored = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int anyPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
