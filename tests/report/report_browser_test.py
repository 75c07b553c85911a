#!/usr/bin/env python3
"""vitdse report in a real browser: a small search's report opened in headless Chromium.

Checks that each plot has one marker per row of pareto.csv, that hovering a marker shows its
tooltip (hash, top-1, energy, area), that clicking it shows the design's per-layer table whose
total is the design's energy, that the front's table sorts, and saves a screenshot.

    report_browser_test.py BUILD/vitdse [--screenshot FILE] [--budget N] [--images N]

Needs Debian's chromium, chromium-driver and python3-selenium, and dataset-fashion-mnist; without
one of them it prints why and exits 77, which ctest counts as skipped.
"""
import argparse
import csv
import math
import os
import shutil
import subprocess
import sys
import tempfile

SKIPPED = 77
FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def skip(why):
    print("SKIPPED: " + why)
    sys.exit(SKIPPED)


def check(condition, message):
    if not condition:
        print("FAILED: " + message)
        sys.exit(1)


def close(a, b, digits=4):
    """Equal to `digits` significant digits (the page prints 4)."""
    return math.isclose(a, b, rel_tol=1.5 * 10 ** (1 - digits))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vitdse", help="the vitdse binary")
    parser.add_argument("--screenshot", default="report-browser.png", help="where to save the screenshot")
    parser.add_argument("--budget", type=int, default=16, help="designs the search scores")
    parser.add_argument("--images", type=int, default=40, help="test images per design")
    args = parser.parse_args()

    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait
    except ImportError:
        skip("Selenium is not importable by " + sys.executable + " (Debian: apt-get install python3-selenium)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        skip("chromium or chromedriver is not installed (Debian: apt-get install chromium chromium-driver)")
    if not os.path.isdir(FASHION_MNIST):
        skip("dataset-fashion-mnist is not installed")

    vitdse = os.path.abspath(args.vitdse)
    screenshot = os.path.abspath(args.screenshot)
    with tempfile.TemporaryDirectory(prefix="vitdse-report-") as tmp:
        # Relative paths, so that the page (and the screenshot) shows no path of this machine.
        search = [vitdse, "-q", "search", "--budget", str(args.budget), "--images", str(args.images),
                  "--final-images", "0", "--db", "runs.sqlite", "--out", "run", "--data", FASHION_MNIST,
                  "--constraint", "top1_drop_pp <= 3"]
        subprocess.run(search, cwd=tmp, check=True)
        subprocess.run([vitdse, "-q", "report", "run"], cwd=tmp, check=True)
        with open(os.path.join(tmp, "run", "pareto.csv"), newline="") as f:
            front = list(csv.DictReader(f))
        check(len(front) >= 1, "the search found no front")

        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        browser = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
        try:
            browser.get("file://" + os.path.join(tmp, "run", "report.html"))
            wait = WebDriverWait(browser, 10)

            # One marker per front row in every plot.
            figures = browser.find_elements(By.CSS_SELECTOR, "figure.plot")
            check(len(figures) >= 1, "no plot")
            for fig in figures:
                markers = fig.find_elements(By.CSS_SELECTOR, "circle.front-pt")
                check(len(markers) == len(front),
                      "%d front markers in plot %s for %d rows of pareto.csv"
                      % (len(markers), fig.get_attribute("data-metric"), len(front)))
            visible = [f for f in figures if f.is_displayed()]
            check(len(visible) == 1, "%d plots shown at once" % len(visible))
            marker = visible[0].find_element(By.CSS_SELECTOR, 'circle.front-pt[data-f="0"]')

            # Hover: the tooltip names the design and its figures.
            ActionChains(browser).move_to_element(marker).perform()
            tooltip = browser.find_element(By.ID, "tooltip")
            wait.until(lambda b: tooltip.is_displayed())
            text = tooltip.text
            row = front[0]
            check(row["design_hash"] in text, "tooltip %r lacks the hash %s" % (text, row["design_hash"]))
            for word in ("top-1", "energy", "area"):
                check(word in text, "tooltip %r lacks %s" % (text, word))

            # Click: the per-layer table, whose total is the design's energy.
            ActionChains(browser).click(marker).perform()
            table = wait.until(lambda b: b.find_element(By.ID, "layer-table"))
            check(row["design_hash"] in browser.find_element(By.ID, "design-details").text,
                  "the details do not name the clicked design")
            layers = table.find_elements(By.CSS_SELECTOR, "tbody tr")
            check(len(layers) >= 3, "%d layer rows" % len(layers))
            total = table.find_elements(By.CSS_SELECTOR, "tfoot td")[-1].text
            check(close(float(total), float(row["energy_uJ"])),
                  "per-layer total %s uJ, pareto.csv %s uJ" % (total, row["energy_uJ"]))
            check(len(browser.find_elements(By.CSS_SELECTOR, "svg.layers rect")) > len(layers),
                  "no stacked bars drawn")

            # The front's table sorts by a clicked heading, and its rows open their designs.
            headings = browser.find_elements(By.CSS_SELECTOR, "#front-table thead th")
            energy_col = [h.text.strip() for h in headings].index("energy uJ")
            headings[energy_col].click()
            cells = browser.find_elements(By.CSS_SELECTOR, "#front-table tbody tr td:nth-child(%d)" % (energy_col + 1))
            values = [float(c.get_attribute("data-v")) for c in cells]
            check(values == sorted(values), "energy column not ascending after a click: %s" % values)
            check(len(values) == len(front), "the table has %d rows" % len(values))
            last = browser.find_elements(By.CSS_SELECTOR, "#front-table tbody tr")[-1]
            browser.execute_script("arguments[0].scrollIntoView()", last)
            last.click()
            shown = browser.find_element(By.CSS_SELECTOR, "#design-details h3").text
            check(last.find_elements(By.TAG_NAME, "td")[1].text in shown, "a row did not open its design")

            errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
            check(not errors, "errors in the page's console: %s" % errors)

            # The screenshot: the front's last design (its cheapest) open, its marker hovered.
            browser.execute_script("window.scrollTo(0, 0)")
            cheapest = visible[0].find_element(By.CSS_SELECTOR, 'circle.front-pt[data-f="%d"]' % (len(front) - 1))
            ActionChains(browser).click(cheapest).perform()
            ActionChains(browser).move_to_element(cheapest).perform()
            wait.until(lambda b: tooltip.is_displayed())
            check(browser.save_screenshot(screenshot), "cannot save " + screenshot)
        finally:
            browser.quit()
    print("ok: %d front designs, tooltip, %d layers, sorting; screenshot %s" % (len(front), len(layers), screenshot))


if __name__ == "__main__":
    main()
