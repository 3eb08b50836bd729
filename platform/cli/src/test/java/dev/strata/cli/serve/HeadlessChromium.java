package dev.strata.cli.serve;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;

/**
 * A real headless Chromium driven through chromedriver (Debian's chromium and chromium-driver,
 * which {@code bin/ensure-browser} installs). Both paths are given explicitly, so Selenium Manager
 * never runs and nothing is downloaded. {@code STRATA_CHROMIUM} / {@code STRATA_CHROMEDRIVER}
 * point elsewhere.
 *
 * <p>It talks WebDriver to chromedriver only ({@link RemoteWebDriver}): Selenium's
 * {@code ChromeDriver} class would also open a DevTools web socket to the browser, which these
 * tests do not need and which, on a loaded machine, held start-up for minutes.
 */
final class HeadlessChromium implements AutoCloseable {

    static final String CHROMIUM = envOr("STRATA_CHROMIUM", "/usr/bin/chromium");
    static final String CHROMEDRIVER = envOr("STRATA_CHROMEDRIVER", "/usr/bin/chromedriver");

    private final ChromeDriverService service;
    private final RemoteWebDriver driver;

    private HeadlessChromium(ChromeDriverService service, RemoteWebDriver driver) {
        this.service = service;
        this.driver = driver;
    }

    WebDriver driver() {
        return driver;
    }

    /**
     * Starts a browser with a fresh profile under {@code profileDir}.
     *
     * @throws IllegalStateException naming the missing program and how to install it
     */
    static HeadlessChromium start(Path profileDir) throws IOException {
        for (String exe : new String[] {CHROMIUM, CHROMEDRIVER}) {
            if (!Files.isExecutable(Path.of(exe))) {
                throw new IllegalStateException(exe + " is missing: run bin/ensure-browser (apt-get installs chromium and chromium-driver)"
                        + " or set STRATA_CHROMIUM / STRATA_CHROMEDRIVER");
            }
        }
        Files.createDirectories(profileDir);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // Without the background-networking flags Chromium tries to reach Google's services from
        // a machine with no internet: connections get refused and start-up is slow.
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000", "--user-data-dir=" + profileDir.toAbsolutePath());
        service.start();
        try {
            RemoteWebDriver driver = new RemoteWebDriver(service.getUrl(), options);
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            return new HeadlessChromium(service, driver);
        } catch (RuntimeException e) {
            service.stop();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }

    private static String envOr(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }
}
