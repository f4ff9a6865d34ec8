// Metrics and health endpoints for @@SERVICE@@ (Express + prom-client).
// Use:          const { install } = require("./observability"); install(app);
// Dependencies: prom-client, and pg / redis when you use them.
const client = require("prom-client");

// The names the alerts and the dashboard use.
const requests = new client.Counter({
  name: "http_requests_total",
  help: "HTTP requests",
  labelNames: ["method", "route", "status"],
});
const duration = new client.Histogram({
  name: "http_request_duration_seconds",
  help: "HTTP request duration",
  labelNames: ["method", "route"],
});
const probes = new Set(["@@STARTUP@@", "@@LIVE@@", "@@READY@@", "/metrics"]);

async function checkDatabase() {
  if (!process.env.DATABASE_URL) return;
  const { Client } = require("pg");
  const db = new Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 2000 });
  await db.connect();
  try {
    await db.query("SELECT 1");
  } finally {
    await db.end();
  }
}

async function checkCache() {
  if (!process.env.REDIS_URL) return;
  const { createClient } = require("redis");
  const cache = createClient({ url: process.env.REDIS_URL, socket: { connectTimeout: 2000 } });
  await cache.connect();
  try {
    await cache.ping();
  } finally {
    await cache.quit();
  }
}

function install(app) {
  client.collectDefaultMetrics();
  app.use((req, res, next) => {
    if (probes.has(req.path)) return next();
    const stop = duration.startTimer({ method: req.method });
    res.on("finish", () => {
      const route = req.route ? req.baseUrl + req.route.path : "unmatched";
      stop({ route });
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });
  app.get("/metrics", async (_req, res) => {
    res.set("Content-Type", client.register.contentType);
    res.end(await client.register.metrics());
  });
  // Alive means the process answers; dependencies are readiness's job.
  app.get("@@LIVE@@", (_req, res) => res.json({ status: "alive" }));
  app.get("@@STARTUP@@", async (_req, res) => {
    try {
      await checkDatabase();
      res.json({ status: "started" });
    } catch (error) {
      res.status(503).json({ status: "starting", error: String(error) });
    }
  });
  app.get("@@READY@@", async (_req, res) => {
    try {
      await Promise.all([checkDatabase(), checkCache()]);
      res.json({ status: "ready" });
    } catch (error) {
      res.status(503).json({ status: "not ready", error: String(error) });
    }
  });
}

module.exports = { install };
