#!/usr/bin/env python3
"""The web page of `clipdetect serve` in a real browser: headless Chromium driven by Selenium.

Starts `clipdetect serve` on a free loopback port, opens the page, uploads examples/scene.png,
types classes, and checks that the boxes drawn over the image (SVG rects, positioned over the
<img>) and the table match the JSON the API answers for the same request; then moves the
confidence slider and checks again; then a Chinese class name. Installs what it needs:
Debian's chromium and chromium-driver (through tools/install-deps.sh) and selenium (pip).

    tools/serve/browser_test.py [--binary .build/release/clipdetect] [--screenshot examples/serve_page.png]

Exit status 0 when every check passes; one `error: …` line otherwise.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SELENIUM = "selenium==4.27.1"
PALETTE = [(230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240),
           (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (220, 190, 255), (170, 110, 40), (100, 70, 255),
           (128, 0, 0), (170, 255, 195), (128, 128, 0), (255, 215, 180), (0, 0, 128), (128, 128, 128)]


def install():
    subprocess.run([os.path.join(ROOT, "tools/install-deps.sh"), "chromium", "chromium-driver"], check=True)
    try:
        import selenium  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", SELENIUM], check=True)


def start_server(binary):
    env = dict(os.environ, CLIPDETECT_MODELS=os.path.join(ROOT, "models"))
    proc = subprocess.Popen([binary, "serve", "--model", "shapes-tiny", "--port", "0", "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    line = proc.stdout.readline()
    m = re.search(r"http://\S+", line)
    if not m:
        proc.kill()
        raise SystemExit(f"error: serve printed no address: {line!r}")
    url = m.group(0)
    for _ in range(600):
        try:
            with urllib.request.urlopen(url + "/healthz") as r:
                if r.status == 200:
                    return proc, url
        except Exception:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("error: serve never became ready")


def api_detect(url, image, classes, conf):
    """The same multipart request the page sends, answered as JSON."""
    boundary = uuid.uuid4().hex
    with open(image, "rb") as f:
        data = f.read()
    body = b""
    for name, value in (("classes", classes), ("conf", conf)):
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{os.path.basename(image)}"\r\n'
             f'Content-Type: image/png\r\n\r\n').encode() + data + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(url + "/v1/detect", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


def wait_result(driver, previous_seq, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        state = driver.execute_script("return [window.resultSeq || 0, window.lastResult, document.getElementById('status').textContent]")
        if state[0] > previous_seq and state[1] is not None:
            return state
        if "error" in (driver.find_element("id", "status").get_attribute("class") or ""):
            raise Failed("page shows an error: " + state[2])
        time.sleep(0.05)
    raise Failed("the page never showed a result")


def compare_page_with_api(driver, api):
    """Boxes, labels and table on the page against the API's JSON."""
    page = driver.execute_script("return window.lastResult")
    check(page == api, f"page JSON differs from the API's: {page} vs {api}")
    dets = api["detections"]
    check(len(dets) > 0, "no detections to compare")
    rects = driver.execute_script("""
        const img = document.getElementById('image').getBoundingClientRect();
        return [...document.querySelectorAll('#overlay rect.box')].map(r => {
          const c = r.getBoundingClientRect();
          return {i: +r.dataset.index, label: r.dataset.label, x: +r.getAttribute('x'), y: +r.getAttribute('y'),
                  w: +r.getAttribute('width'), h: +r.getAttribute('height'), stroke: r.getAttribute('stroke'),
                  left: c.left - img.left, top: c.top - img.top, cw: c.width, ch: c.height,
                  scale: img.width / document.getElementById('image').naturalWidth};
        });""")
    check(len(rects) == len(dets), f"{len(rects)} boxes drawn for {len(dets)} detections")
    for r in rects:
        d = dets[r["i"]]
        x1, y1, x2, y2 = d["box"]
        check(r["label"] == d["label"], f"box {r['i']} labelled {r['label']} not {d['label']}")
        for got, want in ((r["x"], x1), (r["y"], y1), (r["w"], x2 - x1), (r["h"], y2 - y1)):
            check(abs(got - want) < 1e-3, f"box {r['i']} geometry {r} vs {d['box']}")
        check(r["stroke"] == "rgb(%d,%d,%d)" % PALETTE[d["class_id"] % 20], f"box {r['i']} colour {r['stroke']}")
        # Drawn over the image: the rect's place on screen is the box scaled to the shown image
        # (the stroke straddles the edge, so allow its width).
        s = r["scale"]
        slack = 2 + s * max(2, round((api["width"] + api["height"]) / 2 * 0.003))
        check(abs(r["left"] - x1 * s) <= slack and abs(r["top"] - y1 * s) <= slack,
              f"box {r['i']} on screen at ({r['left']:.1f}, {r['top']:.1f}), expected ({x1 * s:.1f}, {y1 * s:.1f})")
    labels = driver.execute_script("return [...document.querySelectorAll('#overlay g.label text')].map(t => [t.textContent, t.getBBox().width])")
    want_labels = sorted(f"{d['label']} {d['score']:.2f}" for d in dets)
    check(sorted(t for t, _ in labels) == want_labels, f"labels {labels} vs {want_labels}")
    check(all(w > 0 for _, w in labels), "a label has no width (font missing?)")
    rows = driver.execute_script("return [...document.querySelectorAll('#results tbody tr')].map(tr => [...tr.cells].map(c => c.textContent))")
    check(len(rows) == len(dets), f"{len(rows)} table rows for {len(dets)} detections")
    for i, (row, d) in enumerate(zip(rows, dets)):
        want = [str(i + 1), d["label"], f"{d['score']:.3f}"] + [f"{v:.1f}" for v in d["box"]]
        check(row == want, f"table row {i + 1} {row} vs {want}")
    return len(dets)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/clipdetect"))
    ap.add_argument("--screenshot", help="save a screenshot of the page (PNG) here")
    ap.add_argument("--no-install", action="store_true")
    args = ap.parse_args()
    if not args.no_install:
        install()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    scene = os.path.join(ROOT, "examples/scene.png")
    proc, url = start_server(args.binary)
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1180,760",
              "--force-device-scale-factor=1"):
        opts.add_argument(a)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        driver.get(url + "/")
        end = time.time() + 20
        while "model" not in driver.find_element("id", "model").text and time.time() < end:
            time.sleep(0.05)
        check("model" in driver.find_element("id", "model").text, "the page never showed the model")
        classes = "red star,blue circle,green triangle"
        box = driver.find_element("id", "classes")
        box.clear()
        box.send_keys(classes)
        file_input = driver.find_element("id", "file")
        driver.execute_script("arguments[0].hidden = false", file_input)
        seq, result, status = wait_or_upload(driver, file_input, scene)
        conf = driver.find_element("id", "conf").get_attribute("value")
        n1 = compare_page_with_api(driver, api_detect(url, scene, classes, conf))
        print(f"upload: {n1} boxes and table rows match the API ({status.strip()})")

        # The slider: a lower confidence re-runs detection; the page follows the API again.
        driver.execute_script("const s = document.getElementById('conf'); s.value = '0.15'; s.dispatchEvent(new Event('input'))")
        seq, result, status = wait_result(driver, seq)
        n2 = compare_page_with_api(driver, api_detect(url, scene, classes, "0.15"))
        check(all(d["score"] >= 0.15 for d in result["detections"]), "a detection under the slider's confidence")
        print(f"slider at 0.15: {n2} boxes and rows match the API")

        # Chinese class names: drawn and listed as typed.
        zh = "红色星星:0,蓝色圆形:0"
        box.clear()
        box.send_keys(zh)
        driver.find_element("id", "detect").click()
        seq, result, status = wait_result(driver, seq)
        n3 = compare_page_with_api(driver, api_detect(url, scene, zh, "0.15"))
        check(any(d["label"] in ("红色星星", "蓝色圆形") for d in result["detections"]), "no Chinese label shown")
        print(f"Chinese classes: {n3} boxes and rows match the API")

        if args.screenshot:
            box.clear()
            box.send_keys(classes + ",黄色方块")
            driver.execute_script("const s = document.getElementById('conf'); s.value = '0.35'; s.dispatchEvent(new Event('input'))")
            wait_result(driver, seq)
            time.sleep(0.3)
            driver.save_screenshot(args.screenshot)
            print(f"screenshot → {args.screenshot}")
    except Failed as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        driver.quit()
        proc.terminate()
        proc.wait(timeout=30)
    print("browser test passed")
    return 0


def wait_or_upload(driver, file_input, path):
    before = driver.execute_script("return window.resultSeq || 0")
    file_input.send_keys(path)
    return wait_result(driver, before)


if __name__ == "__main__":
    sys.exit(main())
