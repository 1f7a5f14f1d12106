// A small client of Chromium's DevTools protocol, enough for test/browser.js:
// launches Chromium with --remote-debugging-pipe (the protocol as
// NUL-terminated JSON on file descriptors 3 and 4, no WebSocket and no port),
// opens pages, navigates and waits for the network to be idle, evaluates
// functions over selected elements, reports page errors, console errors and
// every request, and takes full-page screenshots.  Built on Node's own
// modules only, so it runs on the Node.js of Debian 12 (18) and 13 (20) and
// follows Debian's chromium without a pinned browser client.
import {spawn} from "node:child_process";
import {EventEmitter} from "node:events";
import {writeFileSync} from "node:fs";

class Connection extends EventEmitter {
  constructor(proc) {
    super();
    this.proc = proc;
    this.out = proc.stdio[3];
    this.nextId = 1;
    this.pending = new Map();
    this.closed = null;
    let buffered = "";
    proc.stdio[4].setEncoding("utf8");
    proc.stdio[4].on("data", (chunk) => {
      buffered += chunk;
      let end;
      while ((end = buffered.indexOf("\0")) >= 0) {
        const message = JSON.parse(buffered.slice(0, end));
        buffered = buffered.slice(end + 1);
        this.dispatch(message);
      }
    });
    proc.on("exit", (code, signal) => this.fail(`chromium exited (${signal ?? code})`));
    this.out.on("error", (e) => this.fail(`chromium's pipe: ${e.message}`));
  }
  fail(why) {
    if (this.closed) return;
    this.closed = why;
    for (const {reject} of this.pending.values()) reject(new Error(why));
    this.pending.clear();
  }
  dispatch(message) {
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
      else waiter.resolve(message.result);
    } else {
      this.emit(message.sessionId ?? "", message.method, message.params);
    }
  }
  send(method, params = {}, sessionId) {
    if (this.closed) return Promise.reject(new Error(this.closed));
    const id = this.nextId++;
    const message = {id, method, params};
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {resolve, reject, method});
      this.out.write(JSON.stringify(message) + "\0");
    });
  }
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Describes a value the page logged or threw, as the console would print it.
function describe(remote) {
  if (!remote) return "";
  if (remote.type === "string") return remote.value;
  if ("value" in remote) return String(remote.value);
  return remote.description ?? remote.type;
}

class Page extends EventEmitter {
  constructor(browser, targetId, sessionId) {
    super();
    this.browser = browser;
    this.targetId = targetId;
    this.sessionId = sessionId;
    this.lifecycle = new EventEmitter();
    this.urls = new Map();
    browser.conn.on(sessionId, (method, params) => this.event(method, params));
  }
  send(method, params) {
    return this.browser.conn.send(method, params, this.sessionId);
  }
  event(method, p) {
    switch (method) {
      case "Page.lifecycleEvent":
        this.lifecycle.emit(p.name, p);
        break;
      case "Runtime.exceptionThrown":
        this.emit("pageerror", p.exceptionDetails.exception?.description ?? p.exceptionDetails.text);
        break;
      case "Runtime.consoleAPICalled":
        this.emit("console", {type: p.type, text: p.args.map(describe).join(" ")});
        break;
      case "Log.entryAdded":
        if (p.entry.source !== "worker") this.emit("console", {type: p.entry.level, text: p.entry.text});
        break;
      case "Network.requestWillBeSent":
        this.urls.set(p.requestId, p.request.url);
        this.browser.emit("request", {url: p.request.url});
        break;
      case "Network.responseReceived":
        this.browser.emit("response", {url: p.response.url, status: p.response.status});
        break;
      case "Network.loadingFailed":
        this.browser.emit("requestfailed", {url: this.urls.get(p.requestId) ?? p.requestId, errorText: p.errorText});
        break;
    }
  }
  async init(viewport) {
    await Promise.all([
      this.send("Page.enable"),
      this.send("Page.setLifecycleEventsEnabled", {enabled: true}),
      this.send("Runtime.enable"),
      this.send("Log.enable"),
      this.send("Network.enable"),
      this.send("Emulation.setDeviceMetricsOverride",
                {width: viewport.width, height: viewport.height, deviceScaleFactor: 1, mobile: false})
    ]);
  }
  // Navigates and waits until the page loaded and had no network
  // connections for 500 ms (Chromium's own "networkIdle").
  async goto(url, {timeout = 30000} = {}) {
    let onIdle;
    let timer;
    this.loaderId = null;
    const idle = new Promise((resolve, reject) => {
      const seen = new Set();
      onIdle = (p) => { seen.add(p.loaderId); if (this.loaderId && seen.has(this.loaderId)) resolve(); };
      this.checkIdle = () => { if (seen.has(this.loaderId)) resolve(); };
      this.lifecycle.on("networkIdle", onIdle);
      timer = setTimeout(() => reject(new Error(`${url}: the network was not idle after ${timeout} ms`)), timeout);
    });
    try {
      const r = await this.send("Page.navigate", {url});
      if (r.errorText) throw new Error(`${url}: ${r.errorText}`);
      this.loaderId = r.loaderId;
      this.checkIdle();
      await idle;
    } finally {
      clearTimeout(timer);
      this.lifecycle.off("networkIdle", onIdle);
    }
  }
  async evaluate(expression) {
    const r = await this.send("Runtime.evaluate", {expression, returnByValue: true, awaitPromise: true});
    if (r.exceptionDetails) {
      throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
    }
    return r.result.value;
  }
  // fn(element, ...args) in the page, over the first element that matches;
  // throws when none does.
  $eval(selector, fn, ...args) {
    return this.evaluate(`(() => {
      const e = document.querySelector(${JSON.stringify(selector)});
      if (!e) throw new Error("no element matches " + ${JSON.stringify(selector)});
      return (${fn})(e, ...${JSON.stringify(args)});
    })()`);
  }
  // fn(elements, ...args) in the page, over all elements that match.
  $$eval(selector, fn, ...args) {
    return this.evaluate(`(${fn})(Array.from(document.querySelectorAll(${JSON.stringify(selector)})), ...${JSON.stringify(args)})`);
  }
  async waitForSelector(selector, {timeout = 30000} = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      if (await this.evaluate(`document.querySelector(${JSON.stringify(selector)}) !== null`)) return;
      if (Date.now() > end) throw new Error(`${selector}: not found after ${timeout} ms`);
      await delay(100);
    }
  }
  waitForTimeout(ms) {
    return delay(ms);
  }
  async screenshot({path, fullPage = false}) {
    const params = {format: "png"};
    if (fullPage) {
      const m = await this.send("Page.getLayoutMetrics");
      const size = m.cssContentSize ?? m.contentSize;
      params.captureBeyondViewport = true;
      params.clip = {x: 0, y: 0, width: Math.ceil(size.width), height: Math.ceil(size.height), scale: 1};
    }
    const {data} = await this.send("Page.captureScreenshot", params);
    writeFileSync(path, Buffer.from(data, "base64"));
  }
  async close() {
    await this.browser.conn.send("Target.closeTarget", {targetId: this.targetId});
  }
}

class Browser extends EventEmitter {
  constructor(proc, viewport) {
    super();
    this.proc = proc;
    this.viewport = viewport;
    this.conn = new Connection(proc);
  }
  async newPage() {
    const {targetId} = await this.conn.send("Target.createTarget", {url: "about:blank"});
    const {sessionId} = await this.conn.send("Target.attachToTarget", {targetId, flatten: true});
    const page = new Page(this, targetId, sessionId);
    await page.init(this.viewport);
    return page;
  }
  async close() {
    const exited = new Promise((resolve) => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) resolve();
      else this.proc.once("exit", resolve);
    });
    await this.conn.send("Browser.close").catch(() => {});
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}

// Starts headless Chromium with a profile in userDataDir; resolves once the
// protocol answers.  Chromium's stderr is kept for the error message when it
// does not start.
export async function launch({executablePath, userDataDir, args = [], viewport = {width: 1280, height: 720}}) {
  const proc = spawn(executablePath,
                     ["--headless", "--hide-scrollbars", "--remote-debugging-pipe", `--user-data-dir=${userDataDir}`, ...args, "about:blank"],
                     {stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"]});
  let stderr = "";
  proc.stderr.setEncoding("utf8");
  proc.stderr.on("data", (s) => { stderr = (stderr + s).slice(-4000); });
  const browser = new Browser(proc, viewport);
  try {
    await Promise.race([
      browser.conn.send("Browser.getVersion"),
      new Promise((_, reject) => proc.once("error", reject)),
      delay(30000).then(() => { throw new Error("no answer after 30 s"); })
    ]);
  } catch (e) {
    proc.kill("SIGKILL");
    throw new Error(`chromium did not start: ${e.message}\n${stderr}`);
  }
  return browser;
}
