package io.tributary.ingest.kafka;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A listener speaking Kafka's framing: a Netty server ({@link ListenerSettings}), the client
 * listener on {@code ingest.kafka.port} or the peers' replication listener. Each connection decodes
 * size-prefixed frames ({@link LengthFieldBasedFrameDecoder}: a 4-byte big-endian size, then the
 * request header and body as kafka-clients' message classes define them) and hands each request to
 * {@link KafkaApis} on the request threads; {@link KafkaConnection} writes the answers back in
 * request order. Starts after the rest of the service (the log and, on a cluster, Raft), stops
 * before it.
 */
public class KafkaServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);

    private final ListenerSettings settings;
    private final KafkaApis apis;
    private EventLoopGroup acceptor;
    private EventLoopGroup io;
    private ExecutorService requests;
    private Channel channel;
    private volatile int boundPort = -1;
    private volatile String transportName = "";

    KafkaServer(ListenerSettings settings, KafkaApis apis) {
        this.settings = settings;
        this.apis = apis;
    }

    @Override
    public synchronized void start() {
        String name = settings.name();
        KafkaTransport transport = KafkaTransport.choose(settings.nativeTransport());
        acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name + "-accept", true),
                transport.handlers());
        io = new MultiThreadIoEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory(name + "-io", true),
                transport.handlers());
        requests = new ThreadPoolExecutor(settings.requestThreads(), settings.requestThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), Thread.ofPlatform().name(name + "-request-", 1).daemon().factory());
        int maxFrame = settings.maxFrameBytes();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, io)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(maxFrame, 0, 4, 0, 4))
                                .addLast(new KafkaConnection(apis, requests));
                    }
                });
        try {
            channel = bootstrap.bind(new InetSocketAddress(settings.bindHost(), settings.port())).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding the " + name + " listener", e);
        } catch (RuntimeException e) {
            stopGroups();
            throw new IllegalStateException("the " + name + " listener cannot listen on " + settings.bindHost() + ":"
                    + settings.port() + " (" + settings.portSetting() + "): " + e.getMessage(), e);
        }
        boundPort = ((InetSocketAddress) channel.localAddress()).getPort();
        transportName = transport.name();
        log.info("{} listener on {}:{} ({}){}", name, settings.bindHost(), boundPort, transport.name(),
                apis.advertised() == null ? "" : ", advertised as " + apis.advertised());
    }

    @Override
    public synchronized void stop() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        stopGroups();
        boundPort = -1;
        transportName = "";
    }

    private void stopGroups() {
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            io.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            requests.shutdownNow();
            acceptor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return channel != null;
    }

    /** After the HTTP server and Raft are up; stopped before them. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }

    /** The network transport listened with ({@link KafkaTransport}): "epoll" or "nio", empty while stopped. */
    public String transportName() {
        return transportName;
    }

    /** The port actually listened on, -1 while stopped. */
    public int boundPort() {
        return boundPort;
    }
}
