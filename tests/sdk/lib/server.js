// Starts a real hrbridge server for SDK tests: a temporary SQLite database,
// API keys made with `hrbridge keys create`, and `hrbridge serve` on a free
// loopback port. Nothing is mocked.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const buildDir = resolve(repo, process.env.HB_BUILD_DIR || "build");
export const hrbridgeBin = join(buildDir, "hrbridge");
export const hrsimBin = join(buildDir, "hrsim");

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitFor(url, child, what, dir) {
  for (let i = 0; ; i++) {
    try {
      await fetch(url);
      return;
    } catch (e) {
      if (i > 200 || child.exitCode !== null) throw new Error(`${what} did not start (see ${dir})`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

// Starts hrbridge serve (and, with { sim: true }, hrsim with simArgs). Syncs
// run only when asked for (a new integration still syncs at once).
export async function startServer({ sim = false, simArgs = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "hrbridge-sdk-"));
  const db = `sqlite:${join(dir, "hrbridge.db")}`;
  const env = {
    ...process.env,
    HRBRIDGE_DB: db,
    HRBRIDGE_LOG_LEVEL: "warn",
    HRBRIDGE_SYNC_FULL_INTERVAL: "0",
    HRBRIDGE_SYNC_DELTA_INTERVAL: "0",
  };
  let simChild = null;
  let simBase = null;
  if (sim) {
    const simPort = await freePort();
    const simLog = openSync(join(dir, "hrsim.log"), "a");
    simChild = spawn(hrsimBin, ["--listen", `127.0.0.1:${simPort}`, ...simArgs], {
      stdio: ["ignore", simLog, simLog],
    });
    simBase = `http://127.0.0.1:${simPort}`;
    await waitFor(`${simBase}/__sim/requests`, simChild, "hrsim", dir);
  }
  const newKey = (environment) =>
    execFileSync(hrbridgeBin, ["keys", "create", "--environment", environment], { env })
      .toString()
      .trim();
  const key = newKey("sdk-tests");
  const otherKey = newKey("sdk-other");
  const port = await freePort();
  const log = openSync(join(dir, "serve.log"), "a");
  const child = spawn(hrbridgeBin, ["serve", "--listen", `127.0.0.1:${port}`], {
    env,
    stdio: ["ignore", log, log],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/v1/check-api-key`, child, "hrbridge serve", dir);
  const admin = async (method, path, body) => {
    const res = await fetch(`${base}/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: await res.json() };
  };
  return {
    base,
    simBase,
    admin,
    // Waits until the integration's newest sync run is over and returns it.
    async waitForSync(integrationId) {
      for (let i = 0; i < 600; i++) {
        const { json } = await admin("GET", `/integrations/${integrationId}/syncs?page_size=1`);
        const run = json.data.results[0];
        if (run && (run.state === "SUCCEEDED" || run.state === "FAILED")) return run;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error("no sync finished within 30 s");
    },
    serverURL: `${base}/v1`,
    key,
    otherKey,
    dir,
    // hrbridge's own admin API (not part of Kombo's SDK).
    async createIntegration(body, apiKey = key) {
      const res = await fetch(`${base}/v1/integrations`, {
        method: "POST",
        headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const json = await res.json();
      if (res.status !== 201) throw new Error(`create integration: ${res.status} ${JSON.stringify(json)}`);
      return json.data;
    },
    async stop() {
      for (const c of [child, simChild].filter(Boolean)) {
        c.kill("SIGTERM");
        await new Promise((r) => (c.exitCode !== null ? r() : c.once("exit", r)));
      }
      if (!process.env.HB_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const personioBody = {
  tool: "personio",
  end_user: { organization_name: "Acme", origin_id: "acme-1", creator_email: "it@acme.example" },
  credentials: { client_id: "sim-client", client_secret: "sim-secret" },
  base_url: "http://127.0.0.1:9/personio",
};
