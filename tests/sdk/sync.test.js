// Integration fields, syncs and employees through the official SDK, against a
// real hrbridge syncing a simulated Personio (hrsim).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Kombo } from "@kombo-api/sdk";
import * as errors from "@kombo-api/sdk/models/errors";
import { startServer } from "./lib/server.js";

let srv, kombo, integrationId;
const EMPLOYEES = 180;

before(async () => {
  srv = await startServer({ sim: true, simArgs: ["--employees", String(EMPLOYEES), "--custom-fields", "40", "--seed", "3"] });
  const created = await srv.createIntegration({
    tool: "personio",
    end_user: { organization_name: "Acme" },
    credentials: { client_id: "sim-client", client_secret: "sim-secret" },
    base_url: `${srv.simBase}/personio`,
  });
  integrationId = created.id;
  const run = await srv.waitForSync(integrationId);
  assert.equal(run.state, "SUCCEEDED", run.error);
  kombo = new Kombo({ api_key: srv.key, server_url: srv.serverURL, integration_id: integrationId });
});
after(async () => {
  await srv?.stop();
});

function noValidationErrors(err) {
  assert.ok(!(err instanceof errors.ResponseValidationError), `ResponseValidationError: ${err?.pretty?.() ?? err}`);
}

async function allFields(pageSize) {
  const fields = [];
  let pages = 0;
  const result = await kombo.general.getIntegrationFields({ integration_id: integrationId, page_size: pageSize });
  for await (const page of result) {
    pages++;
    fields.push(...page.result.data.results);
  }
  return { fields, pages };
}

test("getIntegrationFields pages through every field once", async () => {
  try {
    const whole = await kombo.general.getIntegrationFields({ integration_id: integrationId, page_size: 2000 });
    const total = whole.result.data.results.length;
    assert.ok(total > 60, `only ${total} fields`);
    const { fields, pages } = await allFields(25);
    assert.equal(pages, Math.ceil(total / 25));
    assert.equal(new Set(fields.map((f) => f.id)).size, total);
    for (const f of fields) {
      assert.ok(["DEFAULT", "CUSTOM"].includes(f.type));
      assert.equal(f.is_writable, false);
      assert.match(f.id, /^[1-9A-HJ-NP-Za-km-z]{24}$/);
    }
  } catch (err) {
    noValidationErrors(err);
    throw err;
  }
});

test("updateIntegrationField selects a field and triggerSync collects its values", async () => {
  const { fields } = await allFields(2000);
  const field = fields.find((f) => f.type === "CUSTOM" && f.model === "hris_employees");
  const updated = await kombo.general.updateIntegrationField({
    integration_id: integrationId,
    integration_field_id: field.id,
    body: { enable_passthrough: true },
  });
  assert.equal(updated.data.id, field.id);
  assert.equal(updated.data.is_passthrough_enabled, true);

  const sync = await kombo.general.triggerSync({ type: "FULL" });
  assert.equal(typeof sync.data.already_queued, "boolean");
  assert.match(sync.data.sync_id, /^[1-9A-HJ-NP-Za-km-z]{24}$/);
  assert.equal(sync.data.type, "FULL");
  const run = await srv.waitForSync(integrationId);
  assert.equal(run.state, "SUCCEEDED", run.error);

  // The SDK's model has no integration_fields: read them on the wire.
  const raw = await (await fetch(`${srv.serverURL}/hris/employees?page_size=5`, {
    headers: { Authorization: `Bearer ${srv.key}`, "X-Integration-Id": integrationId },
  })).json();
  for (const e of raw.data.results) {
    assert.equal(e.integration_fields.length, 1);
    assert.equal(e.integration_fields[0].id, field.id);
    assert.equal(e.integration_fields[0].key, field.key);
  }
});

test("getEmployees pages through every employee, with filters", async () => {
  try {
    const all = [];
    for await (const page of await kombo.hris.getEmployees({ page_size: 40 })) all.push(...page.result.data.results);
    assert.equal(all.length, EMPLOYEES);
    assert.equal(new Set(all.map((e) => e.id)).size, EMPLOYEES);
    const e = all.find((x) => x.manager && x.groups.length && x.work_location);
    assert.ok(e.changed_at instanceof Date);
    assert.equal(e.employments.length, 1);
    assert.equal(e.employments[0].employee_id, e.id);

    const active = [];
    for await (const page of await kombo.hris.getEmployees({ page_size: 25, employment_statuses: ["ACTIVE", "LEAVE"] }))
      active.push(...page.result.data.results);
    assert.equal(active.length, all.filter((x) => ["ACTIVE", "LEAVE"].includes(x.employment_status)).length);
    assert.ok(active.length > 0 && active.length < EMPLOYEES);

    const byIds = [];
    for await (const page of await kombo.hris.getEmployees({ ids: [all[0].id, all[5].id], work_emails: [all[0].work_email.toUpperCase(), all[5].work_email] }))
      byIds.push(...page.result.data.results);
    assert.deepEqual(byIds.map((x) => x.id).sort(), [all[0].id, all[5].id].sort());

    const recent = await kombo.hris.getEmployees({ updated_after: new Date(Date.now() + 3600_000) });
    assert.equal(recent.result.data.results.length, 0);
  } catch (err) {
    noValidationErrors(err);
    throw err;
  }
});

test("a bad page_size is the SDK's typed PLATFORM.INPUT_INVALID error", async () => {
  await assert.rejects(kombo.hris.getEmployees({ page_size: 251 }), (err) => {
    noValidationErrors(err);
    assert.ok(err instanceof errors.KomboHrisError, `got ${err?.name}`);
    assert.equal(err.statusCode, 400);
    assert.equal(err.data$.error.code, "PLATFORM.INPUT_INVALID");
    return true;
  });
});

test("groups, employments and locations page through the SDK", async () => {
  try {
    const groups = [];
    for await (const page of await kombo.hris.getGroups({ page_size: 5 })) groups.push(...page.result.data.results);
    assert.ok(groups.length > 1);
    assert.ok(groups.every((g) => g.type === "DEPARTMENT" && g.changed_at instanceof Date));
    const named = await kombo.hris.getGroups({ name_contains: groups[0].name.slice(1, 4).toUpperCase() });
    assert.ok(named.result.data.results.some((g) => g.id === groups[0].id));

    const jobs = [];
    for await (const page of await kombo.hris.getEmployments({ page_size: 50 })) jobs.push(...page.result.data.results);
    assert.equal(jobs.length, EMPLOYEES);

    const locations = await kombo.hris.getLocations({});
    assert.ok(locations.result.data.results.length > 1);
    const entities = await kombo.hris.getLegalEntities({});
    assert.ok(entities.result.data.results.length >= 1);
  } catch (err) {
    noValidationErrors(err);
    throw err;
  }
});

test("absences and time-off balances page through the SDK", async () => {
  try {
    const absences = await kombo.hris.getAbsences({ page_size: 10 });
    assert.equal(absences.result.data.results.length, 10);
    const balances = [];
    for await (const page of await kombo.hris.getTimeOffBalances({ page_size: 200 })) {
      balances.push(...page.result.data.results);
    }
    assert.equal(balances.length, 5 * EMPLOYEES);
    for (const b of balances) {
      assert.equal(typeof b.balance, "number");
      assert.ok(["DAYS", "HOURS"].includes(b.balance_unit), b.balance_unit);
    }
  } catch (err) {
    noValidationErrors(err);
    throw err;
  }
});

test("sendPassthroughRequest reaches the remote with the stored credentials", async () => {
  const res = await kombo.general.sendPassthroughRequest({
    tool: "personio",
    api: "personnel",
    body: { method: "GET", path: "/company/employees", params: { limit: "3" } },
  });
  assert.equal(res.data.status, 200);
  assert.match(res.data.url, /\/personio\/v1\/company\/employees\?limit=3$/);
  assert.equal(res.data.data.data.length, 3);
  assert.deepEqual(res.warnings, []);
});
