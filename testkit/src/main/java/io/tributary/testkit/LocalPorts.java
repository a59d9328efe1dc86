package io.tributary.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for servers a test starts a little later. Drawn from below the kernel's ephemeral
 * range: a port inside it (what {@code new ServerSocket(0)} gives) may meanwhile become the local
 * port of any outgoing connection, and the server's bind then fails. (ingest-service's tests, which
 * this module depends on, carry the same rule in their own LocalResources.)
 */
public final class LocalPorts {

    private static final int LOWEST = 10_000;
    /** Ports handed out in this JVM: not handed out again. */
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private LocalPorts() {
    }

    /** A port no listener holds now, outside the ephemeral range where the machine allows it. */
    public static int freePort() {
        int ceiling = ephemeralLow();
        for (int attempt = 0; ceiling - LOWEST >= 1_000 && attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, ceiling);
            try (ServerSocket ignored = new ServerSocket(port)) {
                if (GIVEN.add(port)) {
                    return port;
                }
            } catch (IOException taken) {
                // another listener has it: draw again
            }
        }
        try (ServerSocket any = new ServerSocket(0)) {
            return any.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int ephemeralLow() {
        try {
            // line by line: Files.readString returned only "3" of this /proc file here
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0)
                    .trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 49_152;
        }
    }
}
