package io.tributary.analytics.runner;

/**
 * The job's source topic is another incarnation (another topic id) than the one its checkpoint
 * offsets belong to: it was deleted and re-created. The job fails with this message rather than
 * apply the old offsets to the new topic, which would silently skip its first records.
 */
final class SourceRecreatedException extends IllegalStateException {

    private SourceRecreatedException(String message) {
        super(message);
    }

    /** Throws when both ids are known and differ. */
    static void check(String topic, String expected, String actual) {
        if (expected != null && actual != null && !expected.equals(actual)) {
            throw new SourceRecreatedException("source topic " + topic + " was deleted and re-created (topic id "
                    + expected + " is now " + actual + "): the job's checkpoint offsets belong to the deleted topic. "
                    + "Reset the job (POST /api/v1/jobs/{name}/reset) to read the new topic from its beginning, "
                    + "or point the job at another source");
        }
    }
}
