package io.tributary.testkit;

import java.io.File;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's chromium, headless, driven through Debian's chromedriver (both installed by gateway/install-chromium.sh,
 * which test.sh calls): never a browser or driver downloaded by a tool. The flags keep it off the network beyond
 * loopback (no background updates or sync, whose refused connections this machine would log) and off /dev/shm.
 */
public final class HeadlessChromium {

    public static final File BINARY = new File("/usr/bin/chromium");
    public static final File DRIVER = new File("/usr/bin/chromedriver");

    private HeadlessChromium() {
    }

    /** A new browser with a window of {@code width} × {@code height}, its console messages kept (all levels). */
    public static ChromeDriver open(int width, int height) {
        if (!BINARY.canExecute() || !DRIVER.canExecute()) {
            throw new IllegalStateException("no " + BINARY + " or " + DRIVER + ": run gateway/install-chromium.sh");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=" + width + "," + height);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER).usingAnyFreePort()
                .build(), options);
    }
}
