// The console's pages read the JSON API (/api/v1) with the login's cookie: every figure shown is
// what the API (and so the CLI) answers. Amounts stay decimal strings in tables; only the charts
// turn them into numbers, to draw them.
"use strict";

const API = "/api/v1";
const here = new URLSearchParams(window.location.search);

function given(name) {
  const value = here.get(name);
  return value === null || value.trim() === "" ? null : value.trim();
}

function problem(text) {
  const p = document.getElementById("problem");
  p.textContent = text;
  p.hidden = false;
}

class ApiProblem extends Error {
  constructor(status, doc) {
    super(doc.detail || doc.title || `HTTP ${status}`);
    this.status = status;
    this.doc = doc;
  }
}

async function api(path, params = {}, init = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const v of [].concat(value)) {
      if (v !== null && v !== undefined && v !== "") query.append(name, v);
    }
  }
  const url = API + path + (query.toString() ? `?${query}` : "");
  const reply = await fetch(url, { credentials: "same-origin", ...init });
  const doc = await reply.json().catch(() => ({ detail: `HTTP ${reply.status}` }));
  if (!reply.ok) throw new ApiProblem(reply.status, doc);
  return doc;
}

// Run a page's loader, showing the API's problem detail (never a stack) if it fails.
async function shown(load) {
  try {
    await load();
  } catch (error) {
    problem(error instanceof ApiProblem ? error.message : `出错 failed: ${error.message}`);
  }
}

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

// A table of `rows` by `columns`: [heading, row => text or Node].
function table(id, columns, rows) {
  const t = document.getElementById(id);
  t.replaceChildren();
  const head = t.createTHead().insertRow();
  for (const [heading] of columns) {
    const th = document.createElement("th");
    th.textContent = heading;
    head.appendChild(th);
  }
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const [, cell] of columns) {
      const value = cell(row);
      const td = tr.insertCell();
      if (value instanceof Node) td.appendChild(value);
      else td.textContent = value === null || value === undefined ? "" : String(value);
    }
  }
  if (rows.length === 0) {
    const td = body.insertRow().insertCell();
    td.colSpan = columns.length;
    td.textContent = "无 none";
  }
  return t;
}

function keyValues(id, doc) {
  table(id, [["项 field", (r) => r[0]], ["值 value", (r) => r[1]]],
    Object.entries(doc).filter(([, v]) => typeof v !== "object" || v === null));
}

function chart(id, option) {
  const el = document.getElementById(id);
  const c = echarts.getInstanceByDom(el) || echarts.init(el);
  c.setOption({ tooltip: { trigger: "axis" }, legend: {}, animation: false, ...option }, true);
  el.dataset.rendered = "true";
  return c;
}

const number = (text) => (text === null || text === undefined ? null : Number(text));
const point = () => ({ as_of: given("as_of"), known_at: given("known_at") });

function lastDays(year, asOf) {
  const days = [];
  for (let month = 1; month <= 12; month += 1) {
    const last = new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
    if (asOf && last > asOf) {
      if (asOf.slice(0, 7) === last.slice(0, 7)) days.push(asOf);
      break;
    }
    days.push(last);
  }
  return days;
}

// Cumulative figures at each month end, turned into what each month added.
function monthly(cumulative) {
  return cumulative.map((v, i) => (i === 0 ? v : Math.round((v - cumulative[i - 1]) * 100) / 100));
}

const sum = (rows, names) =>
  rows.reduce((total, r) => total + names.reduce((s, n) => s + number(r[n] || "0"), 0), 0);

async function overview() {
  const region = given("region") || document.getElementById("region").value;
  const year = given("year") || document.getElementById("year").value;
  const at = point();
  const fund = await api("/reports/fund", { region, year, ...at });
  table("fund", [
    ["险种 scheme", (r) => r.scheme],
    ["期初 opening", (r) => r.opening_balance],
    ["征缴 contributions", (r) => r.contributions],
    ["补助 subsidies", (r) => r.subsidies],
    ["追回 recoveries", (r) => r.recoveries],
    ["结算 settlements", (r) => r.settlements],
    ["期末 closing", (r) => r.closing_balance],
  ], fund);
  chart("chart-balances", {
    xAxis: { type: "category", data: fund.map((r) => r.scheme) },
    yAxis: { type: "value" },
    series: [{ name: "期末余额 closing balance", type: "bar", data: fund.map((r) => number(r.closing_balance)) }],
  });
  const hospitals = await api("/reports/hospitals", { region, ...at });
  table("hospitals", [
    ["机构 institution", (r) => link(`/institution/${encodeURIComponent(r.institution)}?${here}`, r.institution)],
    ["人次 visits", (r) => r.visits],
    ["医疗费用 settled", (r) => r.settled_cost],
    ["基金支付 fund share", (r) => link(`/institution/${encodeURIComponent(r.institution)}?${here}#events`, r.fund_share)],
    ["预算 budget", (r) => r.budget],
    ["预算使用 budget used", (r) => r.budget_used],
    ["预警 warning", (r) => r.warning_level],
  ], hospitals);
  // Budget pace: rows whose warning level is not "none" stand out, and are counted above.
  const warned = hospitals.filter((r) => r.warning_level && r.warning_level !== "none");
  document.querySelectorAll("#hospitals tbody tr").forEach((tr, i) => {
    if (hospitals[i] && warned.includes(hospitals[i])) tr.classList.add("warned");
  });
  document.getElementById("warnings").textContent = warned.length
    ? `预算进度预警 ${warned.length} 家 budget-pace warnings: ${warned.map((r) => `${r.institution} (${r.warning_level})`).join(", ")}`
    : "无预算进度预警 no budget-pace warnings";
  const days = lastDays(Number(year), at.as_of);
  const months = await Promise.all(days.map((day) => api("/reports/fund", { region, year, as_of: day, known_at: at.known_at })));
  chart("chart-months", {
    xAxis: { type: "category", data: days.map((d) => d.slice(0, 7)) },
    yAxis: { type: "value" },
    series: [
      { name: "收入 income", type: "bar", data: monthly(months.map((rows) => sum(rows, ["contributions", "subsidies", "recoveries", "other"]))) },
      { name: "支出 spending", type: "bar", data: monthly(months.map((rows) => sum(rows, ["settlements"]))) },
    ],
  });
}

function eventLink(e) {
  return link(`/history/${encodeURIComponent(e.entity)}#p${e.position}`, `${e.type} #${e.position}`);
}

async function institution() {
  const code = document.getElementById("code").textContent;
  const year = Number(given("year") || document.getElementById("year").value);
  const at = point();
  keyValues("totals", await api(`/hospital/${encodeURIComponent(code)}`, at));
  const days = lastDays(year, at.as_of);
  const months = await Promise.all(days.map((day) => api(`/hospital/${encodeURIComponent(code)}`, { as_of: day, known_at: at.known_at })));
  const line = (name, field) => ({ name, type: "line", data: months.map((m) => number(m[field])) });
  chart("chart-year", {
    xAxis: { type: "category", data: days.map((d) => d.slice(0, 7)) },
    yAxis: { type: "value" },
    series: [line("医疗费用 settled", "settled_cost"), line("基金支付 fund share", "fund_share"),
      line("追回 recovered", "recovered"), line("罚款 fines", "fines")],
  });
  const penalties = await api(`/penalties/${encodeURIComponent(code)}`, at);
  keyValues("penalties", penalties);
  const sanctions = await api(`/targets/${encodeURIComponent(code)}/sanctions`);
  table("sanctions", [
    ["处罚 id", (s) => link(`/history/${encodeURIComponent(`sanction:${s.sanction_id}`)}`, s.sanction_id)],
    ["种类 kind", (s) => s.kind], ["依据 basis", (s) => s.legal_basis],
    ["生效 from", (s) => s.effective_from], ["截止 to", (s) => s.effective_to],
    ["罚款 fine", (s) => s.fine], ["状态 state", (s) => s.state],
  ], sanctions);
  const events = await api(`/history/${encodeURIComponent(code)}`, { only: "claim,clawback,sanction" });
  table("events", [
    ["位置 position", (e) => eventLink(e)],
    ["对象 entity", (e) => link(`/history/${encodeURIComponent(e.entity)}`, e.entity)],
    ["发生 occurred", (e) => e.occurred_at],
    ["金额 amount", (e) => e.data.fund_share || e.data.amount || e.data.fine_amount || ""],
    ["消息 message", (e) => e.message_id],
  ], events);
}

async function history() {
  const entity = document.getElementById("entity").textContent;
  const events = await api(`/history/${encodeURIComponent(entity)}`);
  const holder = document.getElementById("events");
  for (const e of events) {
    const article = document.createElement("article");
    article.id = `p${e.position}`;
    article.className = "event";
    const h = document.createElement("h3");
    h.textContent = `#${e.position} ${e.type} · ${e.entity}`;
    const meta = document.createElement("p");
    const k = e.kafka || {};
    meta.textContent = `发生 ${e.occurred_at} · 记录 ${e.recorded_at} · ${e.recorded_by || ""} · 消息 message ${e.message_id}`
      + (k.topic ? ` · ${k.topic}/${k.partition}@${k.offset}` : "");
    const data = document.createElement("pre");
    data.textContent = JSON.stringify(e.data, null, 2);
    article.append(h, meta, data);
    holder.appendChild(article);
  }
  // By id, not as a selector: the address is typed by anyone.
  const target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
  if (target) {
    target.classList.add("target");
    target.scrollIntoView();
  }
}

async function statement() {
  const account = given("account");
  if (!account) return;
  const doc = await api(`/statement/${encodeURIComponent(account)}`, { from: given("from"), to: given("to"), known_at: given("known_at") });
  document.getElementById("summary").textContent = `期初 opening ${doc.opening_balance} · 期末 closing ${doc.closing_balance}`;
  table("postings", [
    ["日 day", (r) => r.day], ["位置 position", (r) => r.position], ["事件 event", (r) => r.event],
    ["金额 amount", (r) => r.amount], ["余额 balance", (r) => r.balance], ["消息 message", (r) => r.message_id],
  ], doc.postings);
}

async function diff() {
  const subject = given("subject");
  if (!subject) return;
  const kind = given("kind") || "hospital";
  const doc = await api(`/diff/${kind}/${encodeURIComponent(subject)}`, { as_of: given("as_of"), known_at: here.getAll("known_at").filter((v) => v) });
  document.getElementById("summary").textContent = doc.unexplained ? "有未被事件解释的差异 a difference the events do not explain" : "每项变化都由下列事件解释 every change is explained by the events below";
  const holder = document.getElementById("figures");
  holder.replaceChildren();
  for (const [i, f] of (doc.figures || []).entries()) {
    const h = document.createElement("h3");
    h.textContent = `${f.figure}: ${f.before} → ${f.after} (${f.difference})`;
    const t = document.createElement("table");
    t.id = `figure-${i}`;
    holder.append(h, t);
    table(t.id, [
      ["位置 position", (e) => e.position], ["事件 event", (e) => e.event], ["金额 amount", (e) => e.amount],
      ["知悉 known", (e) => e.known_at], ["文书 document", (e) => e.document], ["消息 message", (e) => e.message_id],
    ], f.events || []);
  }
}

async function rejected() {
  const rows = await api("/rejected", { reason: given("reason") });
  table("rows", [
    ["时间 rejected", (r) => r.rejected_at], ["原因 reason", (r) => r.reason], ["说明 detail", (r) => r.detail],
    ["消息 message", (r) => r.message_id], ["Kafka", (r) => (r.kafka ? `${r.kafka.topic}/${r.kafka.partition}@${r.kafka.offset}` : "")],
    ["内容 value", (r) => r.value_text],
  ], rows);
}

async function held() {
  const rows = await api("/held");
  table("rows", [
    ["暂挂 held", (r) => r.held_at], ["类型 type", (r) => r.message_type], ["等待 waits for", (r) => r.waits_for],
    ["原因 reason", (r) => r.reason], ["消息 message", (r) => r.message_id], ["秒 age", (r) => r.age_seconds],
  ], rows);
}

async function audit() {
  document.getElementById("digest").textContent = (await api("/digest")).digest;
  document.getElementById("verify-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const digest = document.getElementById("from_digest").value.trim();
    shown(async () => keyValues("verification", await api("/verify", { from_digest: digest })));
  });
}

// The inspectors' form: the rule sheet (the domain's own tables, as JSON) beside the fields;
// the API checks with the CLI's rules before anything goes to Kafka, and its errors land next
// to the fields they name.
const FORM_FIELDS = ["kind", "target", "target_kind", "legal_basis", "case_id", "decision_document",
  "decision_date", "effective_from", "effective_to", "base", "multiple", "fine_amount", "points",
  "suspension_months", "referred_to", "violation"];
const REQUIRED = ["kind", "target", "legal_basis", "case_id", "decision_document", "decision_date"];
const INTEGERS = ["points", "suspension_months"];

function options(name, values, blank) {
  const select = document.getElementById(`f-${name}`);
  select.replaceChildren(...(blank ? [""] : []).concat(values).map((v) => new Option(v || blank, v)));
}

function explain(rules) {
  const kind = rules.kinds[document.getElementById("f-kind").value];
  const basis = document.getElementById("f-legal_basis").value;
  const say = (name, text) => { document.getElementById(`rule-${name}`).textContent = text; };
  say("target_kind", `可处罚 fits: ${kind.targets.join(", ")}`);
  say("legal_basis", `可依据 may rest on: ${kind.bases.join(", ")}`);
  const months = kind.window_months[basis];
  say("effective_to", kind.no_effective_to ? "不填 none for this kind"
    : (kind.needs_effective_to ? "必填 required" : "可选 optional") + (months ? `; ${months[0]}-${months[1]} 个月 months` : ""));
  const fine = document.getElementById("f-kind").value === "fine";
  const range = rules.multiple_range[basis];
  say("multiple", fine && range ? `${range[0]}-${range[1]} 倍 times (${basis})` : "仅罚款 fines only");
  say("base", fine && basis !== rules.fixed_fine_basis ? "必填 required" : "仅按倍数的罚款 multiple fines only");
  say("fine_amount", fine && basis === rules.fixed_fine_basis
    ? `${rules.fixed_fine_range[0]}-${rules.fixed_fine_range[1]} (${basis})` : `仅 ${rules.fixed_fine_basis} 条罚款 article ${rules.fixed_fine_basis} fines only`);
  const doctor = document.getElementById("f-kind").value === "doctor_points";
  say("points", doctor ? `${rules.doctor_points_range[0]}-${rules.doctor_points_range[1]}` : "仅医生记分 doctor_points only");
  say("suspension_months", doctor ? `${rules.doctor_suspension_months[0]}-${rules.doctor_suspension_months[1]} 个月 months` : "仅医生记分 doctor_points only");
  say("referred_to", document.getElementById("f-kind").value === "referral" ? "必填 required" : "仅移送 referral only");
}

function fieldError(name, text) {
  const holder = document.getElementById(`error-${name}`);
  holder.textContent = text;
  holder.closest(".field").classList.toggle("invalid", Boolean(text));
}

// Where the API's problem names a field (its `errors`, or a field named in `detail`), say it there.
function placeErrors(doc) {
  const errors = doc.errors && typeof doc.errors === "object" ? doc.errors : {};
  let placed = false;
  for (const [name, said] of Object.entries(errors)) {
    if (FORM_FIELDS.includes(name)) {
      fieldError(name, [].concat(said).join(" "));
      placed = true;
    }
  }
  if (!placed) {
    const detail = doc.detail || "";
    const named = FORM_FIELDS.filter((n) => new RegExp(`(^|[^a-z_])${n}([^a-z_]|$)`).test(detail));
    const name = named.includes("base_amount") ? "base" : named[0];
    if (name) { fieldError(name, detail); placed = true; }
  }
  problem(doc.detail || doc.title);
}

async function awaitVerdict(sent) {
  const say = (id, text) => { document.getElementById(id).textContent = text || ""; };
  document.getElementById("outcome").hidden = false;
  say("message-id", sent.message_id);
  say("sanction-id", sent.sanction_id);
  for (let tries = 0; tries < 600; tries += 1) {
    const verdict = await api(`/sanctions/${sent.message_id}/verdict`);
    say("verdict", verdict.verdict + (verdict.waits_for ? ` (等待 ${verdict.waits_for})` : ""));
    if (verdict.verdict === "recorded") { say("sanction-id", verdict.sanction_id); return; }
    if (verdict.verdict === "rejected") { say("reason", `${verdict.reason}: ${verdict.detail}`); return; }
    await new Promise((done) => { setTimeout(done, 1000); });
  }
}

async function sanction() {
  const reply = await fetch("/sanction/rules.json", { credentials: "same-origin" });
  if (!reply.ok) throw new Error(`HTTP ${reply.status}`);
  const rules = await reply.json();
  options("kind", Object.keys(rules.kinds));
  options("target_kind", rules.target_kinds, "(由编码推定 from the code)");
  options("legal_basis", rules.bases);
  options("referred_to", rules.referred_to, "(无 none)");
  for (const name of ["kind", "legal_basis"]) {
    document.getElementById(`f-${name}`).addEventListener("change", () => explain(rules));
  }
  explain(rules);
  const form = document.getElementById("sanction-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    document.getElementById("problem").hidden = true;
    for (const name of FORM_FIELDS) fieldError(name, "");
    const body = {};
    for (const name of FORM_FIELDS) {
      const value = document.getElementById(`f-${name}`).value.trim();
      if (value !== "") body[name] = INTEGERS.includes(name) && /^-?\d+$/.test(value) ? Number(value) : value;
    }
    const missing = REQUIRED.filter((name) => !(name in body));
    for (const name of missing) fieldError(name, "必填 required");
    if (missing.length) { problem(`未发送 nothing sent: ${missing.join(", ")} 必填 required`); return; }
    shown(async () => {
      try {
        const sent = await api("/sanctions", {}, {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        });
        await awaitVerdict(sent);
      } catch (error) {
        if (error instanceof ApiProblem) { placeErrors(error.doc); return; }
        throw error;
      }
    });
  });
}

const PAGES = { overview, institution, history, statement, diff, rejected, held, audit, sanction };
const page = PAGES[document.body.dataset.page];
if (page) shown(page).then(() => { document.body.dataset.loaded = "true"; });
