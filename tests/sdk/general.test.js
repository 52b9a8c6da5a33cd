// The General endpoints through the official Kombo SDK against a real server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Kombo } from "@kombo-api/sdk";
import * as errors from "@kombo-api/sdk/models/errors";
import { startServer, personioBody } from "./lib/server.js";

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.stop();
});

const client = (apiKey, extra = {}) =>
  new Kombo({ api_key: apiKey, server_url: srv.serverURL, ...extra });

// Every failure must surface as the typed error, never as a validation error.
async function expectKomboError(promise, status, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(!(err instanceof errors.ResponseValidationError), `ResponseValidationError: ${err}`);
    assert.ok(err instanceof errors.KomboGeneralError, `expected KomboGeneralError, got ${err?.name}`);
    assert.equal(err.statusCode, status);
    assert.equal(err.data$.status, "error");
    assert.equal(err.data$.error.code, code);
    assert.equal(typeof err.data$.error.message, "string");
    assert.ok("title" in err.data$.error && "log_url" in err.data$.error);
    return true;
  });
}

test("checkApiKey returns the key's environment", async () => {
  const res = await client(srv.key).general.checkApiKey();
  assert.equal(res.status, "success");
  assert.match(res.data.environment_id, /^[1-9A-HJ-NP-Za-km-z]{24}$/);
  // customer_id, the deprecated alias, is on the wire (the SDK drops it).
  const raw = await (await fetch(`${srv.serverURL}/check-api-key`, {
    headers: { Authorization: `Bearer ${srv.key}` },
  })).json();
  assert.deepEqual(raw.data, { environment_id: res.data.environment_id, customer_id: res.data.environment_id });
});

test("a wrong key is the SDK's typed PLATFORM.AUTHENTICATION_INVALID error", async () => {
  await expectKomboError(client("hb_wrong").general.checkApiKey(), 401, "PLATFORM.AUTHENTICATION_INVALID");
});

test("getIntegrationDetails returns every required key", async () => {
  const created = await srv.createIntegration(personioBody);
  const res = await client(srv.key).general.getIntegrationDetails({ integration_id: created.id });
  const d = res.data;
  assert.equal(d.id, created.id);
  assert.match(d.id, /^personio:[1-9A-HJ-NP-Za-km-z]{24}$/);
  assert.deepEqual(
    { id: d.tool.id, label: d.tool.label, internal_label: d.tool.internal_label },
    { id: "personio", label: "Personio", internal_label: null },
  );
  assert.equal(d.category, "HRIS");
  assert.equal(d.status, "ACTIVE");
  assert.deepEqual(d.end_user, {
    organization_name: "Acme",
    creator_email: "it@acme.example",
    origin_id: "acme-1",
  });
  assert.equal(typeof d.scope_config.id, "string");
  assert.equal(d.data_expired_at, null);
  // The SDK turns date-times into Date objects.
  assert.ok(d.created_at instanceof Date && !Number.isNaN(d.created_at.getTime()));
  assert.equal(d.beta, false);
  assert.deepEqual(
    d.read_models.map((m) => m.id),
    ["hris_employees", "hris_employments", "hris_teams", "hris_locations", "hris_legal_entities",
     "hris_absence_types", "hris_absences", "hris_time_off_balances"],
  );
  assert.deepEqual(d.write_actions, []);
  assert.ok(!JSON.stringify(res).includes("sim-secret"), "credentials must never be returned");
});

test("an integration of another environment is not found", async () => {
  const created = await srv.createIntegration(personioBody);
  await expectKomboError(
    client(srv.otherKey).general.getIntegrationDetails({ integration_id: created.id }),
    404,
    "PLATFORM.INTEGRATION_NOT_FOUND",
  );
});

test("setIntegrationEnabled switches the status between INACTIVE and ACTIVE", async () => {
  const { id } = await srv.createIntegration(personioBody);
  const kombo = client(srv.key);
  const off = await kombo.general.setIntegrationEnabled({ integration_id: id, body: { value: false } });
  assert.equal(off.status, "success");
  assert.equal((await kombo.general.getIntegrationDetails({ integration_id: id })).data.status, "INACTIVE");
  await kombo.general.setIntegrationEnabled({ integration_id: id, body: { value: true } });
  assert.equal((await kombo.general.getIntegrationDetails({ integration_id: id })).data.status, "ACTIVE");
});

test("deleteIntegration removes it for good", async () => {
  const { id } = await srv.createIntegration(personioBody);
  const kombo = client(srv.key);
  const res = await kombo.general.deleteIntegration({ integration_id: id, body: {} });
  assert.deepEqual(res, { status: "success", data: {} });
  await expectKomboError(kombo.general.getIntegrationDetails({ integration_id: id }), 404,
    "PLATFORM.INTEGRATION_NOT_FOUND");
  await expectKomboError(kombo.general.deleteIntegration({ integration_id: id, body: {} }), 404,
    "PLATFORM.INTEGRATION_NOT_FOUND");
});

test("getTools lists the four HR systems with their coverage", async () => {
  const res = await client(srv.key).general.getTools({ category: "hris" });
  assert.deepEqual(res.data.tools.map((t) => t.id), ["personio", "bamboohr", "hibob", "factorial"]);
  for (const t of res.data.tools) {
    assert.equal(t.coverage.read_models.length, 8);
    assert.ok(t.assets.logo_url.startsWith(srv.base));
  }
  const ats = await client(srv.key).general.getTools({ category: "ats" });
  assert.deepEqual(ats.data.tools, []);
});
