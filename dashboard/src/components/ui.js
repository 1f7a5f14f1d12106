// Small DOM helpers (no `html` or `Inputs`: those are imported from a CDN).

// A table: columns = [{label, value: (row) => string | Node, align}].
export function table(rows, columns, {id} = {}) {
  const t = document.createElement("table");
  if (id) t.dataset.test = id;
  const head = t.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement("th");
    th.textContent = c.label;
    if (c.align) th.style.textAlign = c.align;
    head.appendChild(th);
  }
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const c of columns) {
      const td = tr.insertCell();
      const v = c.value(row);
      if (v instanceof Node) td.appendChild(v); else td.textContent = v ?? "–";
      if (c.align) td.style.textAlign = c.align;
      if (c.key) td.dataset.key = c.key;
    }
  }
  return t;
}

// A block with a test id, around a chart or anything else.
export function block(id, ...children) {
  const div = document.createElement("div");
  div.dataset.test = id;
  div.append(...children);
  return div;
}

// A number card: label and value; data-test on the value.
export function card(label, value, id, note) {
  const div = document.createElement("div");
  div.className = "card";
  const h = document.createElement("h2");
  h.textContent = label;
  const span = document.createElement("span");
  span.className = "big";
  span.dataset.test = id;
  span.textContent = value;
  div.append(h, span);
  if (note) {
    const p = document.createElement("div");
    p.className = "muted";
    p.textContent = note;
    div.append(p);
  }
  return div;
}

export function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

export const day = (t) => (t ? new Date(t).toISOString().slice(0, 10) : null);
export const when = (t) => (t ? new Date(t).toISOString().slice(0, 16).replace("T", " ") + " UTC" : null);
export const fixed = (x, d = 2) => (x == null ? null : x.toFixed(d));
export const pct = (x) => (x == null ? null : `${Math.round(100 * x)} %`);
export const hours = (h) => (h == null ? null : h < 1 ? `${Math.round(h * 60)} min` : `${h.toFixed(1)} h`);

// Colors of the statuses and trends, the same on every page.
export const statusColor = {domain: ["good", "fair", "poor", "insufficient"], range: ["#3a9a5b", "#e0a526", "#d0463b", "#b0b0b0"]};
export const trendColor = {domain: ["improving", "steady", "declining", "n/a"], range: ["#3a9a5b", "#8a9bb0", "#d0463b", "#d8d8d8"]};

// The time the data was read, exact in its datetime attribute (the test
// evaluates relintel's functions at that time to compare numbers).
export function asOf(t) {
  const el = document.createElement("time");
  el.dataset.test = "as-of";
  el.dateTime = t;
  el.textContent = when(t);
  return el;
}

// A piece of text with a test id.
export function span(text, id) {
  const el = document.createElement("span");
  el.dataset.test = id;
  el.textContent = text;
  return el;
}
