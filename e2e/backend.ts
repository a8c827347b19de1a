// Real HTTP backends for the end-to-end run: one process serving several instances, each on its own loopback port.
//   node --import tsx e2e/backend.ts PORT=SERVICE/VERSION/INSTANCE[/broken] ...
// Every request is answered 200 with {"service","version","instance"}; /health answers 200. A broken instance
// (seed 003's broken build) answers every other request 500.
import * as http from "node:http";

for (const spec of process.argv.slice(2)) {
  const [portText, identity] = spec.split("=");
  const [service, version, instance, mode] = identity.split("/");
  const body = JSON.stringify({ service, version, instance });
  let served = 0;
  http
    .createServer((req, res) => {
      req.resume();
      if (mode === "broken" && req.url !== "/health" && served++ % 2 === 1) {
        res.writeHead(500, { "content-type": "text/plain", "x-version": version });
        res.end(`${version} failed`);
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "x-version": version });
      res.end(req.url === "/health" ? "ok" : body);
    })
    .on("error", (err) => {
      process.stderr.write(`backend ${spec}: ${err.message}\n`);
      process.exit(1);
    })
    .listen(Number(portText), "127.0.0.1");
}
