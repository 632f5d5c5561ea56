// An HTTP-mode function in Node.js: serves every method on $PORT (127.0.0.1), no packages.
const http = require("http");

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const reply = JSON.stringify({
      message: "Hello from Node.js",
      method: req.method,
      path: req.url,
      body: Buffer.concat(chunks).toString("utf8"),
    });
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(reply) });
    res.end(reply);
  });
});
server.keepAliveTimeout = 620000; // longer than the gateway's pool idle time
server.listen(Number(process.env.PORT), "127.0.0.1");
