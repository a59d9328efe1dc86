package io.tributary.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testkit.HeadlessChromium;
import io.tributary.testkit.LocalPorts;
import io.tributary.testkit.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console (gateway {@code /console/}) in a real headless Chromium ({@link HeadlessChromium}) against the
 * whole suite run from its jars, with the demo flowing: one ingest node, stream-clean and analytics on their embedded
 * defaults, the gateway; the demo's topics, its pipeline and job from {@code demo/}, and a stream of orders (one in
 * twelve malformed) through the gateway. Assertions are on the DOM and on Chart.js' own state, never on pixels. Every
 * page is also captured at a laptop's and a phone's width under {@code target/console-screenshots/} (a few of them
 * are kept in docs/console/).
 */
class ConsoleBrowserTest {

    private static final String VIEWER_KEY = "console-viewer-key";
    private static final Duration READY = Duration.ofSeconds(180);
    private static final Path SHOTS = Path.of("target", "console-screenshots");

    private static final List<ServiceProcess> PROCESSES = new ArrayList<>();
    private static ServiceProcess gateway;
    private static OrderStream orders;

    private WebDriver browser;
    private WebDriverWait wait;

    @BeforeAll
    static void startSuiteWithTheDemo() throws Exception {
        Path run = Files.createTempDirectory("console-suite");
        ServiceProcess ingest = process(run, "ingest", "ingest-service", List.of("--ingest.kafka.port=0"));
        ServiceProcess clean = process(run, "stream-clean", "stream-clean-service",
                List.of("--clean.ingest-url=" + ingest.url()));
        ServiceProcess analytics = process(run, "analytics", "analytics-service",
                List.of("--analytics.ingest-url=" + ingest.url(), "--analytics.clean-url=" + clean.url()));
        gateway = process(run, "gateway", "gateway", List.of(
                "--gateway.ingest-url=" + ingest.url(), "--gateway.clean-url=" + clean.url(),
                "--gateway.analytics-url=" + analytics.url(),
                // a list given here replaces the development profile's, so the dev key is listed again
                "--gateway.security.api-keys[0].name=dev", "--gateway.security.api-keys[0].key=" + Suite.KEY,
                "--gateway.security.api-keys[0].roles=producer,consumer,admin",
                "--gateway.security.api-keys[1].name=viewer", "--gateway.security.api-keys[1].key=" + VIEWER_KEY,
                "--gateway.security.api-keys[1].roles=read-only"));
        for (ServiceProcess process : PROCESSES) {
            process.start();
        }
        for (ServiceProcess process : PROCESSES) {
            process.awaitReady(READY);
        }
        GatewayApi api = new GatewayApi(gateway.url(), Suite.KEY);
        Path demo = ServiceJars.repoRoot().resolve("demo");
        for (String topic : List.of("raw.orders", "clean.orders", "dlq.orders")) {
            api.call("POST", "/api/v1/topics", "{\"name\":\"" + topic + "\",\"partitions\":3}", 201);
        }
        api.call("POST", "/api/v1/pipelines", Files.readString(demo.resolve("orders-clean.pipeline.json")), 201);
        api.call("POST", "/api/v1/jobs", Files.readString(demo.resolve("revenue-by-country.job.json")), 201);
        api.call("POST", "/api/v1/jobs/revenue-by-country/start", null, 200);
        orders = new OrderStream(gateway.url(), Suite.KEY, 15, 30).start();
        Files.createDirectories(SHOTS);
    }

    private static ServiceProcess process(Path run, String name, String module, List<String> args)
            throws IOException {
        ServiceProcess process = ServiceProcess.fromJar(name, ServiceJars.of(module), LocalPorts.freePort(),
                Files.createDirectories(run.resolve(name)), run.resolve(name + ".log"), args);
        PROCESSES.add(process);
        return process;
    }

    @AfterAll
    static void stopSuite() throws InterruptedException {
        if (orders != null) {
            orders.close();
        }
        PROCESSES.forEach(ServiceProcess::terminate);
        for (ServiceProcess process : PROCESSES) {
            process.close();
        }
    }

    @BeforeEach
    void openBrowser() {
        browser = HeadlessChromium.open(1400, 1000);
        // The pages refresh every 2 s: an element found just before a refresh may be replaced before it is read.
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aWrongKeyGetsTheLoginErrorAndNoPage() {
        signIn("not-a-key");

        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-error")));
        assertThat(error.getText()).contains("not accepted");
        assertThat(browser.findElements(By.cssSelector("header.top"))).isEmpty();
        assertThat(js("return sessionStorage.length")).isEqualTo(0L);
        assertNoConsoleErrors("/console/api/session 401");
    }

    @Test
    void anAdminSeesTheDemoFlowingAndWorksWithItsPipelineAndJob() {
        signIn(Suite.KEY);

        // Overview: the demo's topics, pipeline and job as a picture, with records moving on the pipeline's input.
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flow")));
        for (String node : List.of("topic:raw.orders", "pipeline:orders-clean", "topic:clean.orders",
                "topic:dlq.orders", "job:revenue-by-country")) {
            assertThat(js("return document.querySelectorAll(arguments[0]).length",
                    "#flow g.node[data-id='" + node + "']")).as(node).isEqualTo(1L);
        }
        wait.until(d -> rate(edgeText("topic:raw.orders->pipeline:orders-clean")) > 0);
        wait.until(d -> rate(edgeText("topic:clean.orders->job:revenue-by-country")) > 0);
        assertThat((List<?>) js("return Array.from(document.querySelectorAll('#services li'))"
                + ".map(li => li.textContent.replace(/\\s+/g, ' ').trim())"))
                .hasSize(4).allSatisfy(s -> assertThat((String) s).endsWith("UP"));
        capture("overview");

        // Topics, and one topic's records, JSON pretty-printed.
        open("topics");
        wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#topic-table tr[data-topic='raw.orders']")));
        wait.until(d -> chartPoints("#topics canvas") > 0);
        // the pipeline reads raw.orders: its fetch rate, summed from the nodes' counters, moves too
        wait.until(d -> rate(d.findElement(By.cssSelector("#topic-table tr[data-topic='raw.orders'] .fetch-rate"))
                .getText()) > 0);
        capture("topics");
        open("topics/clean.orders");
        WebElement value = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#record-table tbody tr pre.json")));
        assertThat(value.getText()).contains("\"order_id\"").contains("\n  \"country\"");
        capture("topic");

        // The pipeline's consumer group: its committed offsets, lag and members.
        open("groups");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#group-table tbody tr a"))).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#offset-table tbody tr")));
        assertThat(browser.findElements(By.cssSelector("#offset-table tbody tr"))).hasSize(3); // raw.orders' partitions
        wait.until(d -> chartPoints("#group canvas") > 0);
        capture("group");

        open("pipelines");
        wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#pipeline-table tr[data-pipeline='orders-clean']")));
        capture("pipelines");

        // The pipeline: counters, and a dead letter with its step and reason.
        open("pipelines/orders-clean");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("pipeline-counters")));
        WebElement deadLetter = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#dead-table tr.dead-letter")));
        assertThat(deadLetter.findElement(By.cssSelector(".step")).getText()).isIn("parse", "0:validate");
        assertThat(deadLetter.findElement(By.cssSelector(".reason")).getText()).isNotBlank();
        deadLetter.findElement(By.cssSelector("button.open-dead")).click();
        assertThat(wait.until(ExpectedConditions.visibilityOf(deadLetter.findElement(By.cssSelector(".reason pre"))))
                .getText()).contains("bad-");
        wait.until(d -> chartPoints("#pipeline canvas") > 0);
        capture("pipeline");
        capture("pipeline-dead-letters", By.id("dead-title"));

        // A change previewed before saving: only DE and FR orders would pass.
        WebElement editor = browser.findElement(By.id("definition-editor"));
        String definition = editor.getDomProperty("value");
        assertThat(definition).contains("^[A-Z]{2}$");
        type(editor, definition.replace("^[A-Z]{2}$", "^(DE|FR)$"));
        type(browser.findElement(By.id("sample-editor")), """
                [{"key":"o-1","value":{"order_id":"o-1","ts":1764000000000,"user":"u1","email":"a@b.example",\
                "country":"DE","amount":10}},
                 {"key":"o-2","value":{"order_id":"o-2","ts":1764000000000,"user":"u2","email":"c@d.example",\
                "country":"NL","amount":20}}]""");
        browser.findElement(By.id("preview")).click();
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#preview-table tbody tr"), 2));
        List<WebElement> outcomes = browser.findElements(By.cssSelector("#preview-table tbody tr"));
        assertThat(outcomes).extracting(r -> r.getDomAttribute("data-outcome"))
                .containsExactly("output", "dead-letter");
        assertThat(outcomes.get(0).getText()).contains("\"country\": \"DE\"").doesNotContain("a@b.example");
        assertThat(outcomes.get(1).getText()).contains("0:validate");
        capture("pipeline-preview");

        // Saving goes through the API's validation: a step it does not know is refused, nothing is changed.
        type(editor, definition.replace("\"type\": \"mask\"", "\"type\": \"shred\""));
        browser.findElement(By.id("save")).click();
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("editor-error"))).getText())
                .contains("unknown step type \"shred\"");

        // Paused and resumed.
        By state = By.cssSelector("#pipeline h1 .badge");
        browser.findElement(By.id("pause")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(state, "PAUSED"));
        wait.until(ExpectedConditions.elementToBeClickable(By.id("resume"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(state, "RUNNING"));

        // The job: progress charts, results as a table and a chart, then stopped and started again.
        open("jobs");
        wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#job-table tr[data-job='revenue-by-country']")));
        capture("jobs");
        open("jobs/revenue-by-country");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-status"), "RUNNING"));
        wait.until(d -> chartPoints("#results-chart canvas") > 0);
        assertThat(browser.findElements(By.cssSelector("#result-table tbody tr"))).isNotEmpty();
        assertThat(chartPoints("#job canvas")).isPositive();
        capture("job");
        capture("job-results", By.id("results-title"));
        browser.findElement(By.id("stop-job")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-status"), "STOPPED"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("start-job"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-status"), "RUNNING"));

        assertNoConsoleErrors("/api/v1/pipelines/orders-clean 400"); // the refused save
    }

    @Test
    void aReadOnlyKeySeesEverythingAndNoActionButton() {
        signIn(VIEWER_KEY);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("flow")));
        assertThat(browser.findElement(By.id("who")).getText()).contains("viewer").contains("read-only");

        open("pipelines/orders-clean");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("pipeline-counters")));
        assertThat(browser.findElements(By.id("definition-editor"))).isEmpty();
        assertThat(browser.findElement(By.id("pause")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("resume")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("pipeline")).getText()).contains("needs the consumer role");

        open("jobs/revenue-by-country");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-status"), "RUNNING"));
        assertThat(browser.findElement(By.id("stop-job")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("start-job")).isDisplayed()).isFalse();
        wait.until(d -> chartPoints("#results-chart canvas") > 0);
        assertNoConsoleErrors();
    }

    private void signIn(String key) {
        browser.get(gateway.url() + "/console/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("credential"))).sendKeys(key);
        browser.findElement(By.cssSelector("#login button[type=submit]")).click();
    }

    private void open(String route) {
        browser.get(gateway.url() + "/console/#/" + route);
    }

    /** Replaces a textarea's text the way typing would (Alpine's x-model listens for input events). */
    private void type(WebElement textarea, String text) {
        js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
                textarea, text);
    }

    /** An edge's figure, read in one script: the picture is drawn again at every refresh, so no element is kept. */
    private String edgeText(String edge) {
        Object text = js("const t = document.querySelector(arguments[0]); return t ? t.textContent : '';",
                "#flow text[data-edge='" + edge + "']");
        return (String) text;
    }

    private static final Pattern RATE = Pattern.compile("([0-9][0-9,.]*) (rec|rows)/s");

    /** The rate an edge's figure shows, 0 when it shows none yet. */
    private static double rate(String text) {
        Matcher m = RATE.matcher(text);
        return m.find() ? Double.parseDouble(m.group(1).replace(",", "")) : 0;
    }

    /** Data points drawn by the Chart.js charts on the canvases matching {@code selector} (0 when none drawn). */
    private long chartPoints(String selector) {
        Object points = js("""
                let n = 0;
                for (const canvas of document.querySelectorAll(arguments[0])) {
                  const chart = Chart.getChart(canvas);
                  if (chart) for (const d of chart.data.datasets) n += d.data.filter(v => v !== null).length;
                }
                return n;""", selector);
        return ((Number) points).longValue();
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /** Saves the page at a laptop's width and at a phone's (the layout is checked by eye in docs/console/). */
    private void capture(String name) {
        capture(name, null);
    }

    /** As {@link #capture(String)}, scrolled so that {@code anchor} (if any) is at the top. */
    private void capture(String name, By anchor) {
        try {
            if (anchor == null) {
                js("window.scrollTo(0, 0)");
            } else {
                js("arguments[0].scrollIntoView()", browser.findElement(anchor));
            }
            Thread.sleep(150); // the scroll paints on a later frame
            Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(),
                    SHOTS.resolve(name + "-desktop.png"), StandardCopyOption.REPLACE_EXISTING);
            browser.manage().window().setSize(new Dimension(390, 844));
            Thread.sleep(250); // the charts resize on the next frame
            Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(),
                    SHOTS.resolve(name + "-phone.png"), StandardCopyOption.REPLACE_EXISTING);
            browser.manage().window().setSize(new Dimension(1400, 1000));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * No script error and no failed request in the browser's console, but the refusals the test itself provoked: each
     * is given as the path and status Chromium reports it with ("{@code /console/api/session 401}").
     */
    private void assertNoConsoleErrors(String... provoked) {
        List<String> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage)
                .filter(m -> java.util.Arrays.stream(provoked).noneMatch(p -> m.contains(p.split(" ")[0]
                        + " - Failed to load resource: the server responded with a status of " + p.split(" ")[1])))
                .toList();
        assertThat(severe).isEmpty();
    }
}
