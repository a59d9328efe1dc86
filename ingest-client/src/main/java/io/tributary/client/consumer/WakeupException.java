package io.tributary.client.consumer;

/** Thrown by {@link GroupConsumer#poll} after another thread called {@link GroupConsumer#wakeup()}. */
public class WakeupException extends RuntimeException {

    public WakeupException() {
        super("poll interrupted by wakeup()");
    }
}
