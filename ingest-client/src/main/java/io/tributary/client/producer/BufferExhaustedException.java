package io.tributary.client.producer;

/** {@code send} waited {@code maxBlock} for buffer memory and none was freed. */
public class BufferExhaustedException extends RuntimeException {

    public BufferExhaustedException(String message) {
        super(message);
    }
}
