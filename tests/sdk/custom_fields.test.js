// Custom fields through the official SDK: definitions made with hrbridge's
// own admin API (Kombo keeps them in its dashboard, so the SDK has no call
// for them), then listed with getCustomFields, mapped with
// updateCustomFieldMapping and filtered on with getEmployees, against a real
// hrbridge syncing a simulated Personio and BambooHR (hrsim).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Kombo } from "@kombo-api/sdk";
import * as errors from "@kombo-api/sdk/models/errors";
import { startServer } from "./lib/server.js";

const EMPLOYEES = 80;
const CREDENTIALS = {
  personio: { client_id: "sim-client", client_secret: "sim-secret" },
  bamboohr: { company_domain: "acme", api_key: "sim-key" },
};

let srv;
const kombo = {};
const ids = {};
const defs = {};

before(async () => {
  srv = await startServer({ sim: true, simArgs: ["--employees", String(EMPLOYEES), "--custom-fields", "12", "--seed", "4"] });
  for (const tool of Object.keys(CREDENTIALS)) {
    const created = await srv.createIntegration({
      tool,
      end_user: { organization_name: `Acme ${tool}` },
      credentials: CREDENTIALS[tool],
      base_url: `${srv.simBase}/${tool}`,
    });
    ids[tool] = created.id;
    kombo[tool] = new Kombo({ api_key: srv.key, server_url: srv.serverURL, integration_id: created.id });
    const run = await srv.waitForSync(created.id);
    assert.equal(run.state, "SUCCEEDED", `${tool}: ${run.error}`);
  }
  for (const [model, key, label] of [
    ["hris_employees", "tshirt_size", "T-shirt size"],
    ["hris_employees", "commute_km", "Commute"],
    ["hris_employments", "contract_hours", "Contract hours"],
  ]) {
    const { status, json } = await srv.admin("POST", "/custom-field-definitions", { model, key, label });
    assert.equal(status, 201, JSON.stringify(json));
    defs[key] = json.data.id;
  }
});
after(async () => {
  await srv?.stop();
});

function noValidationErrors(err) {
  assert.ok(!(err instanceof errors.ResponseValidationError), `ResponseValidationError: ${err?.pretty?.() ?? err}`);
}

// Runs fn; a ResponseValidationError fails the test with its details.
async function sdk(fn) {
  try {
    return await fn();
  } catch (err) {
    noValidationErrors(err);
    throw err;
  }
}

async function customFields(tool, pageSize) {
  const all = [];
  let pages = 0;
  for await (const page of await kombo[tool].general.getCustomFields({ integration_id: ids[tool], page_size: pageSize })) {
    pages++;
    all.push(...page.result.data.results);
  }
  return { all, pages };
}

async function employees(tool, query = {}) {
  const all = [];
  for await (const page of await kombo[tool].hris.getEmployees({ page_size: 30, ...query })) all.push(...page.result.data.results);
  return all;
}

// The integration field of model whose label is label.
async function field(tool, model, label) {
  const res = await kombo[tool].general.getIntegrationFields({ integration_id: ids[tool], page_size: 2000 });
  const f = res.result.data.results.find((x) => x.model === model && x.label === label);
  assert.ok(f, `${tool}: no ${model} field labelled ${label}`);
  return f;
}

async function map(tool, key, integrationFieldId) {
  return kombo[tool].general.updateCustomFieldMapping({
    integration_id: ids[tool],
    custom_field_id: defs[key],
    body: { integration_field_id: integrationFieldId },
  });
}

// Waits for the FULL sync a mapping queued (joining it through triggerSync).
async function synced(tool) {
  const res = await kombo[tool].general.triggerSync({ type: "FULL" });
  for (let i = 0; i < 600; i++) {
    const { json } = await srv.admin("GET", `/integrations/${ids[tool]}/syncs?page_size=10`);
    const run = json.data.results.find((r) => r.id === res.data.sync_id);
    if (run && ["SUCCEEDED", "FAILED"].includes(run.state)) {
      assert.equal(run.state, "SUCCEEDED", run.error);
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the sync did not finish within 30 s");
}

test("getCustomFields pages through the definitions, unmapped at first", async () => {
  await sdk(async () => {
    const { all, pages } = await customFields("personio", 2);
    assert.equal(pages, 2);
    assert.deepEqual(all.map((x) => x.key).sort(), ["commute_km", "contract_hours", "tshirt_size"]);
    assert.equal(new Set(all.map((x) => x.id)).size, 3);
    for (const cf of all) {
      assert.equal(cf.integration_field, null);
      assert.equal(cf.id, defs[cf.key]);
      assert.equal(cf.description, null);
      assert.equal(typeof cf.label, "string");
    }
    const one = await kombo.personio.general.getCustomFields({ integration_id: ids.personio });
    assert.equal(one.result.data.results.length, 3);
    assert.equal(one.result.data.next, null);
    // Unmapped definitions are on every record already, as null.
    for (const e of await employees("personio")) assert.deepEqual(e.custom_fields, { commute_km: null, tshirt_size: null });
  });
});

test("updateCustomFieldMapping maps and unmaps; values arrive with the sync", async () => {
  await sdk(async () => {
    const mapped = {};
    for (const tool of ["personio", "bamboohr"]) {
      const shirt = await field(tool, "hris_employees", "Shirt size");
      const km = await field(tool, "hris_employees", "Commute km");
      const res = await map(tool, "tshirt_size", shirt.id);
      assert.equal(res.status, "success");
      assert.equal(res.data.id, defs.tshirt_size);
      assert.equal(res.data.key, "tshirt_size");
      assert.deepEqual(res.data.integration_field, { id: shirt.id, key: shirt.key, type: shirt.type, label: "Shirt size" });
      await map(tool, "commute_km", km.id);
      mapped[tool] = { shirt, km };
      await synced(tool);
      const { all } = await customFields(tool, 250);
      assert.equal(all.find((x) => x.key === "commute_km").integration_field.id, km.id);
      assert.equal(all.find((x) => x.key === "contract_hours").integration_field, null);
    }
    // The vendors' keys differ; the custom field keys do not.
    assert.notEqual(mapped.personio.shirt.key, mapped.bamboohr.shirt.key);
    const p = await employees("personio");
    const b = new Map((await employees("bamboohr")).map((e) => [e.work_email, e]));
    assert.equal(p.length, EMPLOYEES);
    let numbers = 0;
    for (const e of p) {
      const other = b.get(e.work_email);
      assert.ok(other, e.work_email);
      assert.deepEqual(Object.keys(e.custom_fields).sort(), ["commute_km", "tshirt_size"]);
      assert.deepEqual(Object.keys(other.custom_fields).sort(), ["commute_km", "tshirt_size"]);
      // Each vendor's own value and type: Personio's empty list value is "",
      // BambooHR's null; Personio's decimal a number, BambooHR's a string.
      assert.equal(other.custom_fields.tshirt_size, e.custom_fields.tshirt_size === "" ? null : e.custom_fields.tshirt_size);
      if (e.custom_fields.commute_km === null) {
        assert.equal(other.custom_fields.commute_km, null);
      } else {
        assert.equal(typeof e.custom_fields.commute_km, "number");
        assert.equal(Number(other.custom_fields.commute_km), e.custom_fields.commute_km);
        numbers++;
      }
      // The employments definition is on the nested employment, unmapped.
      assert.deepEqual(e.employments[0].custom_fields, { contract_hours: null });
    }
    assert.ok(numbers > EMPLOYEES / 2, `${numbers} numbers`);

    // Unmapped: null at once.
    const res = await map("personio", "commute_km", null);
    assert.equal(res.data.integration_field, null);
    for (const e of await employees("personio")) assert.equal(e.custom_fields.commute_km, null);
    await map("personio", "commute_km", mapped.personio.km.id);
    await synced("personio");
    const again = await employees("personio");
    assert.deepEqual(
      again.map((e) => e.custom_fields.commute_km),
      p.map((e) => e.custom_fields.commute_km),
    );
  });
});

test("a field of another integration or model is the SDK's typed 400", async () => {
  const bShirt = await field("bamboohr", "hris_employees", "Shirt size");
  const hours = await field("personio", "hris_employments", "Weekly hours");
  for (const [key, fid] of [
    ["tshirt_size", bShirt.id],
    ["tshirt_size", hours.id],
  ]) {
    await assert.rejects(map("personio", key, fid), (err) => {
      noValidationErrors(err);
      assert.ok(err instanceof errors.KomboGeneralError, `got ${err?.name}`);
      assert.equal(err.statusCode, 400);
      assert.equal(err.data$.error.code, "PLATFORM.INPUT_INVALID");
      return true;
    });
  }
});

test("getEmployees filters on custom_fields", async () => {
  await sdk(async () => {
    const all = await employees("personio");
    const xl = all.filter((e) => e.custom_fields.tshirt_size === "XL");
    assert.ok(xl.length > 0 && xl.length < EMPLOYEES);
    const byShirt = await employees("personio", { custom_fields: JSON.stringify({ tshirt_size: "XL" }) });
    assert.deepEqual(byShirt.map((e) => e.id).sort(), xl.map((e) => e.id).sort());

    const km = all.find((e) => typeof e.custom_fields.commute_km === "number").custom_fields.commute_km;
    const byKm = await employees("personio", { custom_fields: JSON.stringify({ commute_km: km }) });
    assert.deepEqual(
      byKm.map((e) => e.id).sort(),
      all.filter((e) => e.custom_fields.commute_km === km).map((e) => e.id).sort(),
    );
    const none = await employees("personio", { custom_fields: JSON.stringify({ commute_km: null }) });
    assert.deepEqual(
      none.map((e) => e.id).sort(),
      all.filter((e) => e.custom_fields.commute_km === null).map((e) => e.id).sort(),
    );
    assert.ok(none.length > 0);
    // On BambooHR the same number is a string.
    const bKm = await employees("bamboohr", { custom_fields: JSON.stringify({ commute_km: String(km) }) });
    assert.ok(bKm.length >= 1);
    assert.ok(bKm.every((e) => Number(e.custom_fields.commute_km) === km));
  });
  for (const bad of [{ shoe_size: "XL" }, { tshirt_size: { eq: "XL" } }, { tshirt_size: ["XL"] }]) {
    await assert.rejects(kombo.personio.hris.getEmployees({ custom_fields: JSON.stringify(bad) }), (err) => {
      noValidationErrors(err);
      assert.ok(err instanceof errors.KomboHrisError, `got ${err?.name}`);
      assert.equal(err.statusCode, 400);
      assert.equal(err.data$.error.code, "PLATFORM.INPUT_INVALID");
      return true;
    });
  }
});
