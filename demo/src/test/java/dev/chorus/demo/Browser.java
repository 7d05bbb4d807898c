package dev.chorus.demo;

import dev.chorus.testing.ExternalTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Chromium (Debian {@code chromium} and {@code chromium-driver}) driven through Selenium,
 * started by the test: a real browser running the pages' scripts. Missing, it skips the test
 * with the install command, or fails it under {@code CI=true} ({@link ExternalTool}).
 */
final class Browser implements AutoCloseable {
  final ChromeDriver driver;

  private Browser(ChromeDriver driver) {
    this.driver = driver;
  }

  static Browser start() {
    Path chromium = ExternalTool.require("chromium", "chromium");
    Path chromedriver = ExternalTool.require("chromedriver", "chromium-driver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1400,1100", "--autoplay-policy=no-user-gesture-required", "--mute-audio",
        "--no-first-run", "--disable-extensions");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(chromedriver.toFile())
        .usingAnyFreePort()
        .build();
    return new Browser(new ChromeDriver(service, options));
  }

  /** The browser console's errors since the last call (a page that failed to load a part, a script error). */
  List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::toString)
        .toList();
  }

  Object script(String js, Object... args) {
    return driver.executeScript(js, args);
  }

  /** Saves what the browser shows as {@code target/browser/<name>.png}, for people to look at. */
  Path screenshot(String name) throws IOException {
    Path dir = Files.createDirectories(Path.of("target", "browser"));
    Path file = dir.resolve(name + ".png");
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    return file;
  }

  @Override
  public void close() {
    driver.quit();
  }
}
