package io.tributary.analytics.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.spark.launcher.SparkLauncher;

import io.tributary.analytics.config.AnalyticsProperties;
import io.tributary.analytics.config.AnalyticsProperties.Spark.DeployMode;

/**
 * Submits a job's Spark application through Spark's launcher library ({@link SparkLauncher}: it runs
 * {@code <spark-home>/bin/spark-submit}), as {@code spark-submit --master <master> --deploy-mode <mode> --class
 * io.tributary.analytics.spark.SparkJobDriver <application> <callback URL>}. The driver fetches its plan from the
 * callback URL with the run's token: in the environment ({@value #TOKEN_ENV}) of a client-mode driver, in Spark's
 * conf ({@value #TOKEN_CONF}, which Spark redacts in its UI and logs) of a cluster-mode one. spark-submit's output,
 * and a client-mode driver's, is appended to {@code <log dir>/<job>.driver.log}.
 *
 * <p>The process returned is the driver itself in client mode (spark-submit becomes the driver's JVM) and
 * spark-submit waiting for the application in cluster mode.
 */
final class SparkDriver {

    static final String MAIN_CLASS = "io.tributary.analytics.spark.SparkJobDriver";
    static final String TOKEN_ENV = "TRIBUTARY_SPARK_RUN_TOKEN";
    static final String TOKEN_CONF = "spark.tributary.run-token";
    /** A URL with a scheme ({@code hdfs://}, {@code s3a://}, {@code file:/}) rather than a local folder. */
    private static final Pattern URL = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:/.*");

    private final AnalyticsProperties.Spark settings;

    SparkDriver(AnalyticsProperties.Spark settings) {
        this.settings = settings;
    }

    /** Where job {@code job}'s Spark checkpoint lives: a folder path, or a URL under a URL checkpoint dir. */
    String checkpoint(String job) {
        String dir = settings.checkpointDir();
        if (URL.matcher(dir).matches()) {
            return dir.replaceAll("/+$", "") + "/" + job;
        }
        return Path.of(dir).toAbsolutePath().resolve(job).toString();
    }

    Path log(String job) {
        return logRoot().resolve(job + ".driver.log");
    }

    /**
     * Submits {@code job}'s application; its driver reads its plan at {@code callbackUrl + "/plan"}.
     *
     * @throws IOException when spark-submit cannot be started (no Spark home, no such file)
     */
    Process start(String job, String callbackUrl, String token) throws IOException {
        Path logs = logRoot();
        Files.createDirectories(logs);
        String javaHome = javaHome();
        Map<String, String> environment = new HashMap<>();
        environment.put("JAVA_HOME", javaHome);
        if (settings.deployMode() == DeployMode.CLIENT) {
            environment.put(TOKEN_ENV, token);
        }
        SparkLauncher launcher = new SparkLauncher(environment).setSparkHome(settings.sparkHome())
                .setJavaHome(javaHome).setAppResource(application()).setMainClass(MAIN_CLASS)
                .setAppName("tributary-" + job).setMaster(settings.master())
                .setDeployMode(settings.deployMode().name().toLowerCase(Locale.ROOT))
                .setConf(SparkLauncher.DRIVER_MEMORY, settings.driverMemory()).addAppArgs(callbackUrl)
                .directory(logs.toFile()) // Spark's scratch folders of a client-mode driver land here
                .redirectError().redirectOutput(ProcessBuilder.Redirect.appendTo(log(job).toFile()));
        if (settings.master().startsWith("local")) { // driver and executors in one JVM: nothing to reach from outside
            launcher.setConf("spark.driver.host", "127.0.0.1").setConf("spark.driver.bindAddress", "127.0.0.1");
        }
        settings.conf().forEach(launcher::setConf);
        if (settings.deployMode() == DeployMode.CLUSTER) {
            launcher.setConf(TOKEN_CONF, token);
        }
        return launcher.launch();
    }

    /** The last lines of a job's driver log, for a FAILED job's {@code lastError}. */
    String tail(String job, int lines) {
        try {
            List<String> all = Files.readAllLines(log(job));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no driver log: " + e.getMessage() + ")";
        }
    }

    private Path logRoot() {
        if (!settings.logDir().isBlank()) {
            return Path.of(settings.logDir()).toAbsolutePath();
        }
        String checkpoints = settings.checkpointDir();
        return Path.of(URL.matcher(checkpoints).matches() ? "./data/analytics-spark" : checkpoints).toAbsolutePath();
    }

    private String application() {
        return settings.application().isBlank()
                ? Path.of(settings.sparkHome(), "app", "analytics-spark.jar").toAbsolutePath().toString()
                : settings.application();
    }

    private String javaHome() {
        if (!settings.javaHome().isBlank()) {
            return settings.javaHome();
        }
        String fromEnvironment = System.getenv("TRIBUTARY_SPARK_JAVA_HOME");
        return fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment
                : System.getProperty("java.home");
    }
}
