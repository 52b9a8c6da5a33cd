// The four connectors side by side through the official SDK: one hrbridge,
// one hrsim that renders the same logical people through Personio, BambooHR,
// HiBob and Factorial (sim/README.md), one integration per tool. Every model
// pages through the SDK without a ResponseValidationError, links resolve
// within each integration, and the same people come out as the same unified
// employees, bar what a vendor does not carry (each exception is written down
// where it is made, with the reason).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Kombo } from "@kombo-api/sdk";
import * as errors from "@kombo-api/sdk/models/errors";
import { startServer } from "./lib/server.js";

const EMPLOYEES = 60;
// Seed 9 puts every case in the first 60 people: leavers, future hires
// (PENDING), people on leave, a scheduled termination, non-binary people and
// people without a date of birth (checked in "the data has the cases").
const SIM_ARGS = ["--employees", String(EMPLOYEES), "--custom-fields", "12", "--seed", "9"];
const TOOLS = ["personio", "bamboohr", "hibob", "factorial"];
// What hrsim accepts (sim/README.md, "Pinned credentials"; the e2e tests).
const CREDENTIALS = {
  personio: { client_id: "sim-client", client_secret: "sim-secret" },
  bamboohr: { company_domain: "acme", api_key: "sim-key" },
  hibob: { service_user_id: "sim-user", service_user_token: "sim-token" },
  factorial: { api_key: "sim-key" },
};
// Models a tool's connector does not provide (src/model/tools.c coverage).
const NOT_AVAILABLE = { hibob: ["legal-entities"] };

let srv;
const kombo = {};
const integrationIds = {};

before(async () => {
  srv = await startServer({ sim: true, simArgs: SIM_ARGS });
  await Promise.all(
    TOOLS.map(async (tool) => {
      const created = await srv.createIntegration({
        tool,
        end_user: { organization_name: `Acme ${tool}`, origin_id: `acme-${tool}` },
        credentials: CREDENTIALS[tool],
        base_url: `${srv.simBase}/${tool}`,
      });
      integrationIds[tool] = created.id;
      kombo[tool] = new Kombo({ api_key: srv.key, server_url: srv.serverURL, integration_id: created.id });
    }),
  );
  for (const tool of TOOLS) {
    const run = await srv.waitForSync(integrationIds[tool]);
    assert.equal(run.state, "SUCCEEDED", `${tool}: ${run.error}`);
  }
});
after(async () => {
  await srv?.stop();
});

function noValidationErrors(err) {
  assert.ok(!(err instanceof errors.ResponseValidationError), `ResponseValidationError: ${err?.pretty?.() ?? err}`);
}

// Every page of one list endpoint; the ids must be unique across pages.
async function pageAll(tool, method, pageSize) {
  const all = [];
  let pages = 0;
  try {
    for await (const page of await kombo[tool].hris[method]({ page_size: pageSize })) {
      pages++;
      all.push(...page.result.data.results);
    }
  } catch (err) {
    noValidationErrors(err);
    throw err;
  }
  assert.equal(new Set(all.map((x) => x.id)).size, all.length, `${tool} ${method}: an id twice`);
  assert.ok(pages >= Math.ceil(all.length / pageSize), `${tool} ${method}: ${pages} pages`);
  return all;
}

// Everything one integration serves, read once through the SDK (small page
// sizes so that every list takes several pages). The SDK (1.1.3) has no
// getTeams: Kombo's teams are the groups.
const loaded = {};
function load(tool) {
  loaded[tool] ??= (async () => {
    const d = {
      employees: await pageAll(tool, "getEmployees", 25),
      employments: await pageAll(tool, "getEmployments", 25),
      groups: await pageAll(tool, "getGroups", 5),
      locations: await pageAll(tool, "getLocations", 4),
      absenceTypes: await pageAll(tool, "getAbsenceTypes", 2),
      absences: await pageAll(tool, "getAbsences", 50),
      balances: await pageAll(tool, "getTimeOffBalances", 100),
      legalEntities: null,
    };
    if (!NOT_AVAILABLE[tool]?.includes("legal-entities")) d.legalEntities = await pageAll(tool, "getLegalEntities", 3);
    d.byId = new Map(d.employees.map((e) => [e.id, e]));
    d.byEmail = new Map(d.employees.map((e) => [e.work_email, e]));
    d.locationById = new Map(d.locations.map((l) => [l.id, l]));
    d.entityById = new Map((d.legalEntities ?? []).map((l) => [l.id, l]));
    d.typeById = new Map(d.absenceTypes.map((t) => [t.id, t]));
    d.email = (employeeId) => d.byId.get(employeeId)?.work_email;
    return d;
  })();
  return loaded[tool];
}

// The calendar date of a date field: the SDK gives employees' dates as Date
// objects and absences' as ISO strings.
const day = (v) => (v == null ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

// ---- each tool on its own ---------------------------------------------------

for (const tool of TOOLS) {
  test(`${tool}: every model pages through the SDK and its links resolve`, async () => {
    const d = await load(tool);

    assert.equal(d.employees.length, EMPLOYEES);
    assert.equal(d.byEmail.size, EMPLOYEES, "work emails are unique");
    let managers = 0;
    for (const e of d.employees) {
      assert.ok(e.changed_at instanceof Date);
      assert.ok(e.first_name && e.last_name && e.work_email, e.id);
      // A manager is one of the listed employees; the tree's root (the CEO,
      // person 0) has none, everyone else has one.
      if (e.manager_id === null) {
        assert.equal(e.manager, null);
      } else {
        managers++;
        assert.ok(d.byId.has(e.manager_id), `${tool}: manager ${e.manager_id} of ${e.id} is not listed`);
        assert.equal(e.manager.work_email, d.byId.get(e.manager_id).work_email);
      }
      if (e.work_location_id !== null) assert.ok(d.locationById.has(e.work_location_id), e.work_location_id);
      if (e.legal_entity_id !== null) assert.ok(d.entityById.has(e.legal_entity_id), e.legal_entity_id);
      assert.equal(e.employments.length, 1);
      assert.equal(e.employments[0].employee_id, e.id);
      for (const g of e.groups) assert.ok(d.groups.some((x) => x.id === g.id), g.id);
    }
    assert.equal(managers, EMPLOYEES - 1);

    assert.equal(d.employments.length, EMPLOYEES);
    for (const j of d.employments) assert.ok(d.byId.has(j.employee_id), `employment ${j.id}`);
    assert.equal(new Set(d.employments.map((j) => j.employee_id)).size, EMPLOYEES);

    // hrsim: 12 departments, 6 offices, 4 legal entities, 5 absence types.
    assert.equal(d.groups.length, 12);
    assert.equal(d.locations.length, 6);
    assert.equal(d.absenceTypes.length, 5);
    if (d.legalEntities) assert.equal(d.legalEntities.length, 4);

    // Every employee has exactly two absences in hrsim. HiBob's only absence
    // list, GET /v1/timeoff/whosout, holds approved time off only, so HiBob
    // has fewer (compared one by one in the cross-vendor test).
    if (tool === "hibob") {
      assert.ok(d.absences.length > 0 && d.absences.length < 2 * EMPLOYEES, `${d.absences.length}`);
    } else {
      assert.equal(d.absences.length, 2 * EMPLOYEES);
    }
    for (const a of d.absences) {
      assert.ok(d.byId.has(a.employee_id), `absence ${a.id}: employee ${a.employee_id}`);
      assert.ok(d.typeById.has(a.type_id), `absence ${a.id}: type ${a.type_id}`);
      assert.ok(["APPROVED", "REQUESTED", "DECLINED", "CANCELLED"].includes(a.status), `${tool}: status ${a.status}`);
      assert.match(a.start_date, /^\d{4}-\d\d-\d\dT00:00:00\.000Z$/, a.id);
      assert.ok(day(a.end_date) >= day(a.start_date), a.id);
    }

    // Balances: one per employee and absence type, except Factorial, whose
    // allowances exist only for the types with an allowance policy (hrsim:
    // Vacation and Training; see the cross-vendor test).
    assert.equal(d.balances.length, (tool === "factorial" ? 2 : 5) * EMPLOYEES);
    for (const b of d.balances) {
      assert.ok(d.byId.has(b.employee_id), `balance ${b.id}: employee ${b.employee_id}`);
      assert.ok(d.typeById.has(b.type_id), `balance ${b.id}: type ${b.type_id}`);
      assert.equal(typeof b.balance, "number");
      assert.equal(b.balance_unit, "DAYS");
    }
    // The balances embedded in each employee are the same ones.
    assert.equal(
      d.employees.reduce((n, e) => n + e.time_off_balances.length, 0),
      d.balances.length,
    );
  });
}

test("a model the tool does not provide is the SDK's typed INTEGRATION.MODEL_NOT_AVAILABLE", async () => {
  for (const [tool, models] of Object.entries(NOT_AVAILABLE)) {
    assert.deepEqual(models, ["legal-entities"]);
    await assert.rejects(kombo[tool].hris.getLegalEntities({}), (err) => {
      noValidationErrors(err);
      assert.ok(err instanceof errors.KomboHrisError, `got ${err?.name}`);
      // Kombo's error guide: rely on the code, not on the HTTP status.
      assert.ok(err.statusCode >= 400 && err.statusCode < 500, `${err.statusCode}`);
      assert.equal(err.data$.error.code, "INTEGRATION.MODEL_NOT_AVAILABLE");
      return true;
    });
  }
  // …and the others serve it.
  for (const tool of TOOLS.filter((t) => !NOT_AVAILABLE[t])) {
    const res = await kombo[tool].hris.getLegalEntities({});
    assert.equal(res.result.data.results.length, 4, tool);
  }
});

// A harmless GET on each vendor's own API, with the stored credentials. The
// API names are the connectors' apis[] (src/connectors/*.c).
const PASSTHROUGH = {
  personio: {
    api: "personnel",
    body: { method: "GET", path: "/company/employees", params: { limit: "2" } },
    check: (data) => assert.equal(data.data.length, 2),
  },
  bamboohr: {
    api: "v1",
    body: { method: "GET", path: "/meta/time_off/types", headers: { Accept: "application/json" } },
    check: (data) => assert.equal(data.timeOffTypes.length, 5),
  },
  hibob: {
    api: "v1",
    body: { method: "GET", path: "/timeoff/policy-types" },
    check: (data) => assert.equal(data.policyTypes.length, 5),
  },
  factorial: {
    api: "api",
    body: { method: "GET", path: "/resources/locations/locations" },
    check: (data) => assert.equal(data.data.length, 6),
  },
};

test("sendPassthroughRequest reaches each vendor with its stored credentials", async () => {
  for (const tool of TOOLS) {
    const { api, body, check } = PASSTHROUGH[tool];
    let res;
    try {
      res = await kombo[tool].general.sendPassthroughRequest({ tool, api, body });
    } catch (err) {
      noValidationErrors(err);
      throw err;
    }
    assert.equal(res.data.status, 200, `${tool}: ${JSON.stringify(res.data.data)}`);
    assert.ok(res.data.url.startsWith(`${srv.simBase}/${tool}/`), res.data.url);
    check(res.data.data);
  }
});

// ---- the same people through the four tools ---------------------------------

test("the data has the cases the comparison is about", async () => {
  const { employees } = await load("personio");
  const count = (f) => employees.filter(f).length;
  assert.ok(count((e) => e.employment_status === "INACTIVE" && e.termination_date) > 0);
  assert.ok(count((e) => e.employment_status === "PENDING") > 0);
  assert.ok(count((e) => e.employment_status === "LEAVE") > 0);
  assert.ok(count((e) => e.employment_status === "ACTIVE" && e.termination_date) > 0, "a scheduled termination");
  assert.ok(count((e) => e.gender === "NON_BINARY") > 0);
  assert.ok(count((e) => e.date_of_birth === null) > 0);
  assert.ok(count((e) => e.employment_type === "CONTRACT") > 0);
});

// The fields every vendor carries (remote-apis.md §7) and that must be equal
// for every person. hrsim renders each of them from the same generated person
// (sim/gen.c), and the connectors normalise dates to midnight UTC of the
// vendor's calendar date, so dates compare exactly (their YYYY-MM-DD part is
// shown on failure).
const SAME = [
  "first_name",
  "last_name",
  "display_full_name",
  "work_email",
  "gender",
  "date_of_birth",
  "start_date",
  "termination_date",
  "job_title",
  "weekly_hours",
];

// The key: hrsim gives person i the work email first.last<i+1>@acme.example
// (ASCII-folded, unique; sim/gen.c gen_person), and all four vendors carry it
// as the work email (§7 work_email row).
async function matched() {
  const all = Object.fromEntries(await Promise.all(TOOLS.map(async (t) => [t, await load(t)])));
  const people = [];
  for (const [email, p] of all.personio.byEmail) {
    const row = { email, personio: p };
    for (const t of TOOLS.slice(1)) {
      row[t] = all[t].byEmail.get(email);
      assert.ok(row[t], `${email} is missing in ${t}`);
    }
    people.push(row);
  }
  for (const t of TOOLS) assert.equal(all[t].byEmail.size, people.length, t);
  return { all, people };
}

function show(v) {
  return v instanceof Date ? day(v) : JSON.stringify(v);
}

test("the same people give the same unified employees through all four tools", async () => {
  const { all, people } = await matched();
  assert.equal(people.length, EMPLOYEES);
  const eq = (a, b, what) => assert.deepEqual(b, a, `${what}: ${show(a)} vs ${show(b)}`);

  for (const row of people) {
    const p = row.personio;
    for (const t of TOOLS.slice(1)) {
      const o = row[t];
      const at = `${row.email} ${t}`;
      for (const f of SAME) eq(p[f], o[f], `${at} ${f}`);

      // employment_status: only Personio has an "on leave" status (`leave`,
      // §7). BambooHR's status is Active/Inactive, HiBob's internal.status
      // Active/Inactive, Factorial's `active` a boolean, so someone on leave
      // is ACTIVE there. Everything else (PENDING future hires, INACTIVE
      // leavers, ACTIVE with a scheduled termination) is equal.
      if (p.employment_status === "LEAVE") eq("ACTIVE", o.employment_status, `${at} employment_status (on leave)`);
      else eq(p.employment_status, o.employment_status, `${at} employment_status`);

      // The manager is the same person.
      eq(all.personio.email(p.manager_id) ?? null, all[t].email(o.manager_id) ?? null, `${at} manager`);
      // The same office, and the same legal entity where there is one (HiBob
      // has no legal entities: the model is not available, so none is linked).
      eq(p.work_location?.name, o.work_location?.name, `${at} work_location`);
      if (t === "hibob") eq(null, o.legal_entity_id, `${at} legal_entity_id`);
      else eq(p.legal_entity?.name, o.legal_entity?.name, `${at} legal_entity`);
      // The same department. Factorial has no departments, only teams
      // (teams/teams, one per department in hrsim), so its group is a TEAM.
      eq(
        p.groups.map((g) => g.name).sort(),
        o.groups.map((g) => g.name).sort(),
        `${at} groups`,
      );
      for (const g of o.groups) eq(t === "factorial" ? "TEAM" : "DEPARTMENT", g.type, `${at} group type`);

      // remote_created_at: BambooHR's report has no creation time
      // (bamboohr_unsupported in src/model/tools.c); the others agree.
      if (t === "bamboohr") eq(null, o.remote_created_at, `${at} remote_created_at`);
      else eq(p.remote_created_at, o.remote_created_at, `${at} remote_created_at`);
    }

    // employee_number and personal_email: Personio v1 has no source for them
    // (personio_unsupported in src/model/tools.c), so they are null there and
    // compared among the other three. HiBob's work.employeeIdInCompany is a
    // number field (its metadata type in sim/hibob.c), so it holds 35 where
    // BambooHR's employeeNumber and Factorial's company_identifier hold
    // "E-00035".
    eq(null, p.employee_number, `${row.email} personio employee_number`);
    eq(null, p.personal_email, `${row.email} personio personal_email`);
    assert.match(row.bamboohr.employee_number, /^E-\d{5}$/);
    eq(row.bamboohr.employee_number, row.factorial.employee_number, `${row.email} factorial employee_number`);
    eq(String(Number(row.bamboohr.employee_number.slice(2))), row.hibob.employee_number, `${row.email} hibob employee_number`);
    assert.match(row.bamboohr.personal_email, /@private\.example$/);
    for (const t of ["hibob", "factorial"]) eq(row.bamboohr.personal_email, row[t].personal_email, `${row.email} ${t} personal_email`);

    checkEmploymentType(row, (e) => e.employment_type, "employment_type");
  }
});

// employment_type: HiBob (payroll.employment.type) and Factorial (contract)
// say Full-Time/Part-Time/Contractor and agree. Personio v1 only knows
// `internal`/`external` (§7): external is CONTRACT, and internal, which does
// not say full or part time, passes through as "internal" (Kombo's open enum:
// "the original string passed through"). BambooHR's employmentHistoryStatus
// is "Terminated" for leavers, which says nothing about the contract, so
// their type is null.
function checkEmploymentType(row, get, what) {
  const ref = get(row.hibob);
  assert.ok(["FULL_TIME", "PART_TIME", "CONTRACT"].includes(ref), `${row.email} hibob ${what} ${ref}`);
  assert.equal(get(row.factorial), ref, `${row.email} factorial ${what}`);
  if (row.bamboohr.employment_status === "INACTIVE") assert.equal(get(row.bamboohr), null, `${row.email} bamboohr ${what}`);
  else assert.equal(get(row.bamboohr), ref, `${row.email} bamboohr ${what}`);
  assert.equal(get(row.personio), ref === "CONTRACT" ? "CONTRACT" : "internal", `${row.email} personio ${what}`);
}

test("the same people have the same employments", async () => {
  const { people } = await matched();
  for (const row of people) {
    const job = Object.fromEntries(TOOLS.map((t) => [t, row[t].employments[0]]));
    for (const t of TOOLS.slice(1)) {
      assert.equal(job[t].job_title, job.personio.job_title, `${row.email} ${t} job_title`);
      assert.equal(day(job[t].effective_date), day(job.personio.effective_date), `${row.email} ${t} effective_date`);
    }
    checkEmploymentType(row, (e) => e.employments[0].employment_type, "employment type");
    // Pay: Personio's fix_salary is monthly, BambooHR's payRate and
    // Factorial's salary_amount yearly; the yearly amount is the same.
    // hrsim's HiBob people search has no salary field, so HiBob has no pay.
    // Currency: Personio's fix_salary says EUR for everyone; BambooHR's
    // payRate ("62400.00") names none; Factorial's contract has none, so the
    // connector takes the employee's legal entity's currency (hrsim: GBP for
    // Acme Ltd, USD for Acme Inc., EUR otherwise). hrsim draws one number per
    // person, so the amounts agree while the currencies do not: a difference
    // in the simulated vendors' data, not in the mapping.
    assert.equal(job.personio.pay_period, "MONTH");
    for (const t of ["bamboohr", "factorial"]) {
      assert.equal(job[t].pay_period, "YEAR", `${row.email} ${t}`);
      assert.equal(job[t].pay_rate, job.personio.pay_rate * 12, `${row.email} ${t} pay_rate`);
    }
    assert.equal(job.hibob.pay_rate, null);
    assert.equal(job.personio.pay_currency, "EUR");
    assert.equal(job.bamboohr.pay_currency, null);
    const entityCurrency = { "Acme Ltd": "GBP", "Acme Inc.": "USD" };
    assert.equal(job.factorial.pay_currency, entityCurrency[row.factorial.legal_entity.name] ?? "EUR", row.email);
  }
});

test("groups, locations, legal entities and absence types are the same sets", async () => {
  const all = Object.fromEntries(await Promise.all(TOOLS.map(async (t) => [t, await load(t)])));
  const names = (list) => list.map((x) => x.name).sort();
  for (const t of TOOLS.slice(1)) {
    assert.deepEqual(names(all[t].groups), names(all.personio.groups), `${t} groups`);
    assert.deepEqual(names(all[t].locations), names(all.personio.locations), `${t} locations`);
    assert.deepEqual(names(all[t].absenceTypes), names(all.personio.absenceTypes), `${t} absence types`);
    if (t !== "hibob") assert.deepEqual(names(all[t].legalEntities), names(all.personio.legalEntities), `${t} legal entities`);
  }
  for (const t of TOOLS) {
    // Departments as DEPARTMENT groups; Factorial's teams (it has no
    // departments) as TEAM groups.
    for (const g of all[t].groups) assert.equal(g.type, t === "factorial" ? "TEAM" : "DEPARTMENT", `${t} ${g.name}`);
    for (const l of all[t].locations) assert.equal(l.type, "OFFICE");
    // Absence types are counted in days where the vendor says so. HiBob's
    // GET /v1/timeoff/policy-types lists names only, so its types have no
    // unit (its absences and balances do: "type":"days").
    for (const a of all[t].absenceTypes) assert.equal(a.unit, t === "hibob" ? null : "DAYS", `${t} ${a.name}`);
  }
});

test("the same people have the same absences and balances", async () => {
  const all = Object.fromEntries(await Promise.all(TOOLS.map(async (t) => [t, await load(t)])));
  // Keyed by person, type name and dates (a person may have two absences of
  // one type starting the same day, so the end date is part of the key).
  const absences = (t) => {
    const m = new Map();
    for (const a of all[t].absences) {
      const k = [all[t].email(a.employee_id), all[t].typeById.get(a.type_id).name, day(a.start_date), day(a.end_date)].join("|");
      m.set(k, [...(m.get(k) ?? []), a]);
    }
    return m;
  };
  const ref = absences("personio");
  const statuses = new Set([...ref.values()].flat().map((a) => a.status));
  assert.deepEqual([...statuses].sort(), ["APPROVED", "DECLINED", "REQUESTED"]);
  for (const t of TOOLS.slice(1)) {
    const mine = absences(t);
    let compared = 0;
    for (const [k, list] of ref) {
      // HiBob's whosout lists approved time off only.
      const expected = t === "hibob" ? list.filter((a) => a.status === "APPROVED") : list;
      const got = mine.get(k) ?? [];
      assert.equal(got.length, expected.length, `${t} ${k}`);
      const sortKey = (a) => `${a.status}|${a.start_half_day}|${a.end_half_day}|${a.amount}`;
      expected.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
      got.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
      for (let i = 0; i < expected.length; i++) {
        const p = expected[i], o = got[i];
        compared++;
        assert.equal(o.status, p.status, `${t} ${k} status`);
        assert.equal(o.unit, "DAYS", `${t} ${k} unit`);
        // When the request was made: Factorial's leave has both timestamps;
        // a BambooHR request's `created` is a date only (its lastChanged
        // too); HiBob's whosout has neither.
        if (t === "factorial") {
          assert.deepEqual([o.remote_created_at, o.remote_updated_at], [p.remote_created_at, p.remote_updated_at], `${t} ${k}`);
        } else if (t === "bamboohr") {
          assert.equal(o.remote_created_at?.toISOString(), `${day(p.remote_created_at)}T00:00:00.000Z`, `${t} ${k}`);
        } else {
          assert.deepEqual([o.remote_created_at, o.remote_updated_at], [null, null], `${t} ${k}`);
        }
        if (t === "bamboohr") {
          // A BambooHR request has no half-day flags; its amount counts them.
          assert.equal(o.start_half_day, null);
          assert.equal(o.amount, p.amount, `${t} ${k} amount`);
        } else {
          // HiBob's whosout and Factorial's leaves carry no amount.
          assert.equal(o.amount, null, `${t} ${k} amount`);
          assert.equal(o.start_half_day, p.start_half_day, `${t} ${k} start_half_day`);
          // Factorial's leave has one half_day value (beginning or end of
          // the leave), so a leave halved at both ends shows only the start.
          if (!(t === "factorial" && p.start_half_day)) assert.equal(o.end_half_day, p.end_half_day, `${t} ${k} end_half_day`);
        }
      }
    }
    assert.equal(compared, all[t].absences.length, `${t}: absences that Personio does not have`);
  }

  const balances = (t) =>
    new Map(all[t].balances.map((b) => [`${all[t].email(b.employee_id)}|${all[t].typeById.get(b.type_id).name}`, b.balance]));
  const refB = balances("personio");
  for (const t of TOOLS.slice(1)) {
    const mine = balances(t);
    for (const [k, v] of mine) assert.equal(v, refB.get(k), `${t} balance ${k}`);
    // Factorial lists allowances only where an allowance policy exists
    // (hrsim: Vacation and Training); the others report every type, the
    // rest at zero.
    for (const [k, v] of refB) {
      if (mine.has(k)) continue;
      assert.equal(t, "factorial", `${t} has no balance ${k}`);
      assert.equal(v, 0, `factorial leaves out a non-zero balance ${k}`);
    }
  }
});
