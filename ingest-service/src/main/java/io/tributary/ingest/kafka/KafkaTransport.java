package io.tributary.ingest.kafka;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The Kafka listener's network transport: Linux's native epoll where it loads, Java NIO otherwise.
 * Epoll matters to fetches: a fetch answer alternates small header slices and file regions, and the
 * native transport sends each region with one {@code sendfile} where the JDK's
 * {@code FileChannel.transferTo} first asks the file its size.
 *
 * @param name           what the start-up log line names
 * @param handlers       the event loops' I/O handler
 * @param serverChannel  the listening socket's channel class
 */
record KafkaTransport(String name, IoHandlerFactory handlers, Class<? extends ServerChannel> serverChannel) {

    /** Epoll when {@code preferNative} and it is available on this machine, else NIO. */
    static KafkaTransport choose(boolean preferNative) {
        if (preferNative && Epoll.isAvailable()) {
            return new KafkaTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
        }
        return new KafkaTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }
}
