package io.tributary.ingest.kafka;

import java.util.List;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;

/**
 * An answer ready to be written: buffers ({@link io.netty.buffer.ByteBuf}) and, in a Fetch answer,
 * file regions ({@link BatchFileRegion}) between them, in the order they go on the wire.
 */
final class EncodedAnswer {

    /** No answer at all (a produce with acks=0). */
    static final EncodedAnswer NONE = new EncodedAnswer(List.of());

    private final List<ReferenceCounted> parts;

    EncodedAnswer(List<ReferenceCounted> parts) {
        this.parts = parts;
    }

    /** The parts in wire order: {@link io.netty.buffer.ByteBuf}s and {@link BatchFileRegion}s. */
    List<ReferenceCounted> parts() {
        return parts;
    }

    boolean isEmpty() {
        return parts.isEmpty();
    }

    /** Writes every part (Netty releases each once written); call once, then no {@link #release}. */
    void writeTo(ChannelHandlerContext ctx) {
        for (ReferenceCounted part : parts) {
            ctx.write(part);
        }
    }

    /** For an answer that will not be written. */
    void release() {
        for (ReferenceCounted part : parts) {
            ReferenceCountUtil.release(part);
        }
    }
}
