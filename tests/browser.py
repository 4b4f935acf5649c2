"""Headless Chromium driven over the DevTools protocol, on a pipe: pages are opened, measured and photographed.

The browser is started with ``--remote-debugging-pipe``: it reads commands on its file descriptor 3 and writes
answers and events on 4, each message a JSON object ended by a NUL byte. No port is opened.
"""
import base64
import json
import os
import select
import subprocess
import time

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
                  "--remote-debugging-pipe")


class BrowserError(RuntimeError):
    """Chromium answered a command with an error, or did not answer in time."""


class Chromium:
    """One headless Chromium with one page (a tab) of ``width`` x ``height`` CSS pixels.

    Parameters
    ----------
    profile : path-like
        A fresh folder for the browser's profile.
    width, height : int
        The size of the page's viewport.

    Examples
    --------
    >>> with Chromium(tmp_path / "profile") as browser:          # doctest: +SKIP
    ...     browser.open("/abs/path/page.html")
    ...     browser.evaluate("document.title")
    """

    def __init__(self, profile, width=1024, height=800):
        self.width, self.height = width, height
        self.events = []
        self._next_id = 0
        self._buffer = b""
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()

        def give_pipes():  # the child's descriptors 3 and 4 are the ends Chromium reads and writes
            os.dup2(commands_read, 3)
            os.dup2(answers_write, 4)

        self.process = subprocess.Popen(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                                         f"--window-size={width},{height}"],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, preexec_fn=give_pipes, pass_fds=(3, 4))
        os.close(commands_read)
        os.close(answers_write)
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Log", "Runtime"):
            self.send(f"{domain}.enable", session=self.session)
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                         "mobile": False}, session=self.session)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """End the browser (politely, then by force)."""
        if self.process.poll() is None:
            try:
                self.send("Browser.close", timeout=10)
            except (BrowserError, OSError):
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for fd in (self._commands, self._answers):
            try:
                os.close(fd)
            except OSError:
                pass

    def send(self, method, params=None, session=None, timeout=60):
        """Send one command and return its result; the events that arrive meanwhile go to :attr:`events`."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def _receive(self, deadline):
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._answers], [], [], remaining)[0]:
                raise BrowserError("Chromium did not answer in time")
            chunk = os.read(self._answers, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed its pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def page(self, method, params=None, timeout=60):
        """Send a command to the page's session."""
        return self.send(method, params, session=self.session, timeout=timeout)

    def open(self, path, timeout=60):
        """Load the file at ``path`` and wait for its ``load`` event."""
        self.events.clear()
        self.page("Page.navigate", {"url": "file://" + os.path.abspath(path)})
        deadline = time.monotonic() + timeout
        while not any(event.get("method") == "Page.loadEventFired" for event in self.events):
            self.events.append(self._receive(deadline))

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (returned by value: JSON-like data)."""
        result = self.page("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:60]}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=60):
        """Wait until a JavaScript expression is true in the page; return whether it became true."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(expression):
                return True
            time.sleep(0.2)
        return False

    def requested_urls(self):
        """Every URL the page asked for since it was opened (documents, scripts, fonts, images...)."""
        return [event["params"]["request"]["url"] for event in self.events
                if event.get("method") == "Network.requestWillBeSent"]

    def console_messages(self):
        """The browser's log entries and console calls since the page was opened, as text."""
        messages = [event["params"]["entry"]["text"] for event in self.events
                    if event.get("method") == "Log.entryAdded"]
        messages += [" ".join(str(arg.get("value", arg.get("description", ""))) for arg in event["params"]["args"])
                     for event in self.events if event.get("method") == "Runtime.consoleAPICalled"]
        return messages

    def screenshot(self, path, top=0, height=None):
        """Write a PNG of the page from ``top``, ``height`` CSS pixels high (default: the viewport's height)."""
        clip = {"x": 0, "y": top, "width": self.width, "height": height or self.height, "scale": 1}
        data = self.page("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True})
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data["data"]))
        return path
