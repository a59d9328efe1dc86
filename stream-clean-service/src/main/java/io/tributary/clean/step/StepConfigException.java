package io.tributary.clean.step;

/** A step whose configuration is wrong; found when a pipeline is created, never at run time. */
public class StepConfigException extends RuntimeException {

    public StepConfigException(String message) {
        super(message);
    }

    public StepConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
