package io.tributary.ingest.testing;

import org.apache.ratis.util.ExitUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test class (junit-platform.properties, META-INF/services). Ratis ends the JVM
 * with {@code System.exit} on what it deems fatal (a Raft server that cannot bind its port, a state
 * machine updater that throws); in a test JVM that kills the whole fork and every later class with no
 * word of which test or why. Here Ratis throws instead, and a class during which Ratis wanted to exit
 * fails, naming Ratis's reason.
 */
public final class RatisExitGuard implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        ExitUtils.disableSystemExit();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ExitUtils.ExitException first = ExitUtils.getFirstExitException();
        if (first != null) {
            ExitUtils.clear();
            throw new AssertionError("Ratis asked to end the JVM during " + context.getDisplayName()
                    + " (status " + first.getStatus() + "): " + first.getMessage(), first);
        }
    }
}
