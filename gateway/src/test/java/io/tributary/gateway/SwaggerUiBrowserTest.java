package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testkit.EmbeddedIngest;
import io.tributary.testkit.HeadlessChromium;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Headless Chromium ({@link HeadlessChromium}) opens the gateway's Swagger UI, switches between the three services' documents and executes one
 * "Try it out" through the gateway, authorized once with an API key and once with a bearer token of a local OpenID
 * issuer ({@link LocalIssuer}). Behind the gateway: the real ingest-service started in this JVM, and two stubs
 * serving the clean and analytics documents.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gateway.security.api-keys[0].name=browser",
        "gateway.security.api-keys[0].key=browser-key",
        "gateway.security.api-keys[0].roles=admin",
        "spring.security.oauth2.resourceserver.jwt.audiences=" + LocalIssuer.AUDIENCE,
})
class SwaggerUiBrowserTest {

    static final LocalIssuer ISSUER = new LocalIssuer();
    static final EmbeddedIngest INGEST = EmbeddedIngest.start(tempDir());
    static final UpstreamStub CLEAN = new UpstreamStub("clean").start();
    static final UpstreamStub ANALYTICS = new UpstreamStub("analytics").start();

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) {
        registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", ISSUER::issuer);
        registry.add("gateway.ingest-url", INGEST::url);
        registry.add("gateway.clean-url", CLEAN::url);
        registry.add("gateway.analytics-url", ANALYTICS::url);
    }

    @LocalServerPort
    int port;

    WebDriver browser;
    WebDriverWait wait;

    @BeforeEach
    void openBrowser() {
        browser = HeadlessChromium.open(1400, 1200);
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @AfterAll
    static void stopUpstreams() {
        ISSUER.stop();
        INGEST.close();
        CLEAN.stop();
        ANALYTICS.stop();
    }

    @Test
    void shouldBrowseTheThreeServicesAndTryItOutThroughTheGateway() throws Exception {
        String gateway = "http://127.0.0.1:" + port;
        createTopic(gateway, "browser.orders");

        browser.get(gateway + "/swagger-ui.html");
        waitForTitle("Tributary ingest API");

        Select definitions = new Select(wait.until(
                ExpectedConditions.elementToBeClickable(By.cssSelector(".topbar select"))));
        assertThat(definitions.getOptions()).extracting(WebElement::getText)
                .containsExactlyInAnyOrder("ingest", "clean", "analytics");
        definitions.selectByVisibleText("clean");
        waitForTitle("clean");
        new Select(browser.findElement(By.cssSelector(".topbar select"))).selectByVisibleText("analytics");
        waitForTitle("analytics");
        new Select(browser.findElement(By.cssSelector(".topbar select"))).selectByVisibleText("ingest");
        waitForTitle("Tributary ingest API");

        authorize("gatewayApiKey", "browser-key");
        TryItOut answer = tryListingTopics();

        assertThat(answer.status()).startsWith("200");
        assertThat(answer.requestUrl()).isEqualTo(gateway + "/api/v1/topics");
        assertThat(answer.body()).contains("browser.orders");
    }

    @Test
    void shouldAuthorizeWithABearerTokenAndTryItOut() throws Exception {
        String gateway = "http://127.0.0.1:" + port;
        createTopic(gateway, "browser.tokens");
        String token = ISSUER.token("browser-user", c -> c.claim("roles", List.of("consumer")));

        browser.get(gateway + "/swagger-ui.html");
        waitForTitle("Tributary ingest API");
        authorize("gatewayBearerToken", token);
        TryItOut answer = tryListingTopics();

        assertThat(answer.status()).startsWith("200");
        assertThat(answer.requestUrl()).isEqualTo(gateway + "/api/v1/topics");
        assertThat(answer.body()).contains("browser.tokens");
    }

    private void waitForTitle(String title) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".info .title"), title));
    }

    /**
     * Opens "Authorize", checks that it offers both of the gateway's schemes (API key and bearer token), and
     * authorizes {@code scheme} only with {@code value} (the gateway refuses a request carrying both).
     */
    private void authorize(String scheme, String value) {
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(".scheme-container button.authorize")))
                .click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".modal-ux .auth-container input")));
        List<WebElement> schemes = browser.findElements(By.cssSelector(".modal-ux .auth-container"));
        assertThat(schemes).extracting(s -> s.findElement(By.cssSelector("h4")).getText())
                .anySatisfy(t -> assertThat(t).contains("gatewayApiKey").contains("apiKey"))
                .anySatisfy(t -> assertThat(t).contains("gatewayBearerToken").contains("Bearer"));
        WebElement chosen = schemes.stream()
                .filter(s -> s.findElement(By.cssSelector("h4")).getText().contains(scheme))
                .findFirst().orElseThrow();
        chosen.findElement(By.cssSelector("input")).sendKeys(value);
        chosen.findElement(By.cssSelector(".auth-btn-wrapper button.authorize")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector(".modal-ux button.btn-done"))).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(".modal-ux")));
    }

    /** What "Try it out" showed: the response's status, the URL it called, the response body. */
    private record TryItOut(String status, String requestUrl, String body) {
    }

    /**
     * The first element under {@code parent} matching {@code css} once it is shown and enabled: looked up again on
     * every poll, since Swagger UI renders it only after a click (under load, after the first lookup).
     */
    private WebElement clickableIn(WebElement parent, String css) {
        return wait.until(driver -> {
            List<WebElement> found = parent.findElements(By.cssSelector(css));
            return !found.isEmpty() && found.get(0).isDisplayed() && found.get(0).isEnabled() ? found.get(0) : null;
        });
    }

    /** Runs "Try it out" on {@code GET /api/v1/topics}. */
    private TryItOut tryListingTopics() {
        WebElement operation = wait.until(ExpectedConditions.presenceOfElementLocated(By.xpath(
                "//div[contains(@class,'opblock-get')][.//*[@data-path='/api/v1/topics']]")));
        operation.findElement(By.cssSelector(".opblock-summary-path")).click();
        clickableIn(operation, ".try-out__btn").click(); // rendered once the operation has opened
        clickableIn(operation, "button.execute").click();
        WebElement status = wait.until(ExpectedConditions.visibilityOfNestedElementsLocatedBy(operation,
                By.cssSelector(".live-responses-table tbody .response-col_status"))).get(0);
        return new TryItOut(status.getText(), operation.findElement(By.cssSelector(".request-url pre")).getText(),
                operation.findElement(By.cssSelector(".live-responses-table tbody .response-col_description"))
                        .getText());
    }

    private static void createTopic(String gateway, String name) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway + "/api/v1/topics"))
                .header("X-Api-Key", "browser-key").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"partitions\":1}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("gateway-test-ingest");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
