// node test/serve.js DIR [PORT]: serves a built Framework site on 127.0.0.1
// (clean URLs: /account is account.html); PORT 0 (the default) picks a free
// port.  Prints the URL on its first line once listening.
import {createServer} from "node:http";
import {readFile, stat} from "node:fs/promises";
import {join, extname, normalize} from "node:path";

const [dir = "dist", port = "0"] = process.argv.slice(2);
const types = {".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
  ".png": "image/png", ".svg": "image/svg+xml", ".wasm": "application/wasm", ".csv": "text/csv"};

async function file(path) {
  for (const candidate of [path, `${path}.html`, join(path, "index.html")]) {
    try { if ((await stat(candidate)).isFile()) return candidate; } catch {}
  }
  return null;
}

createServer(async (req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  const path = await file(join(dir, normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, "")));
  if (!path) { res.writeHead(404, {"content-type": "text/plain"}); res.end("not found\n"); return; }
  res.writeHead(200, {"content-type": types[extname(path)] ?? "application/octet-stream"});
  res.end(await readFile(path));
}).listen(Number(port), "127.0.0.1", function () {
  console.log(`http://127.0.0.1:${this.address().port}/`);
});
