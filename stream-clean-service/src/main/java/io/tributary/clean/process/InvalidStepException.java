package io.tributary.clean.process;

/** A pipeline with a step whose configuration is wrong; answered with 400 naming the step. */
public class InvalidStepException extends RuntimeException {

    private final int stepIndex;
    private final String stepType;

    public InvalidStepException(int stepIndex, String stepType, String problem) {
        super("steps[" + stepIndex + "]" + (stepType == null ? "" : " (" + stepType + ")") + ": " + problem);
        this.stepIndex = stepIndex;
        this.stepType = stepType;
    }

    public int stepIndex() {
        return stepIndex;
    }

    public String stepType() {
        return stepType;
    }
}
