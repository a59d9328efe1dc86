package io.tributary.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The local addresses of the TCP sockets listening on a port, read from Linux's {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6}: which interfaces a started service really takes connections on. In those files each
 * line's second column is {@code ADDRESS:PORT} in hex (IPv4 as one little-endian 32-bit word, IPv6 as four), and
 * the fourth is the state, {@code 0A} for LISTEN.
 */
final class ListeningSockets {

    private ListeningSockets() {
    }

    /** Each listening socket's address on {@code port}, e.g. {@code 127.0.0.1}, {@code 0.0.0.0}, {@code ::}. */
    static List<String> addresses(int port) {
        List<String> found = new ArrayList<>();
        read(Path.of("/proc/net/tcp"), port, found);
        read(Path.of("/proc/net/tcp6"), port, found);
        return found;
    }

    /** True when the address is a loopback one (IPv4, IPv6, or IPv4 mapped into IPv6). */
    static boolean isLoopback(String address) {
        return address.startsWith("127.") || address.equals("::1") || address.startsWith("::ffff:127.");
    }

    private static void read(Path table, int port, List<String> found) {
        if (!Files.exists(table)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(table);
            for (String line : lines.subList(1, lines.size())) {
                String[] columns = line.trim().split("\\s+");
                String[] local = columns[1].split(":");
                if (columns[3].equals("0A") && Integer.parseInt(local[1], 16) == port) {
                    found.add(local[0].length() == 8 ? ipv4(local[0]) : ipv6(local[0]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String ipv4(String hex) {
        long word = Long.parseLong(hex, 16);
        return (word & 0xff) + "." + (word >> 8 & 0xff) + "." + (word >> 16 & 0xff) + "." + (word >> 24 & 0xff);
    }

    private static String ipv6(String hex) {
        // four little-endian 32-bit words; only the forms this project meets are named, the rest left in hex
        if (hex.equals("00000000000000000000000000000000")) {
            return "::";
        }
        if (hex.equals("00000000000000000000000001000000")) {
            return "::1";
        }
        if (hex.startsWith("0000000000000000FFFF0000")) {
            return "::ffff:" + ipv4(hex.substring(24));
        }
        return hex;
    }
}
