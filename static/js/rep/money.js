// Money typed on the phone: one reading of "1.234,56", "99,90" and "99.90" (the same
// rules as app/services/money.py, checked against tests/data/money_cases.json):
// - one separator followed by one or two digits is the decimal mark, in any locale;
// - with both separators, the last one is the decimal mark, the other groups thousands;
// - otherwise the locale decides: "1.234" is 1234 in pt-BR and refused in English.
// Returns the amount as a plain "1234.56" string, or null when it cannot be read for sure.

const PLAIN = /^\d+(?:[.,](\d{1,2}))?$/;
const BOTH = /^(\d{1,3}(?:([.,])\d{3})*)([.,])(\d{1,2})$/;

function groups(text, sep) {
  // "1.234.567" with "." grouping thousands
  const parts = text.split(sep);
  return parts.length > 1 && /^\d{1,3}$/.test(parts[0]) && parts.slice(1).every((p) => /^\d{3}$/.test(p));
}

function localeMarks(lang) {
  return String(lang || "pt-BR").toLowerCase().startsWith("en") ? { group: "," } : { group: "." };
}

export function parseMoney(input, lang) {
  let text = String(input ?? "").replace(/[\s\u00a0\u202f]+/g, "");
  if (/^r\$/i.test(text)) text = text.slice(2);
  if (!text || !/^\d[\d.,]*$/.test(text)) return null;
  let value = null;
  if (PLAIN.test(text)) {
    value = text.replace(",", ".");
  } else {
    const both = BOTH.exec(text);
    if (both && both[2] && both[2] !== both[3]) {
      value = `${both[1].split(both[2]).join("")}.${both[4]}`;
    } else if (!both) {
      // Only one kind of separator, not a plain decimal: thousands of the locale, or nothing.
      const { group } = localeMarks(lang);
      if (groups(text, group)) value = text.split(group).join("");
    }
  }
  if (value == null) return null;
  const amount = Number(value);
  if (!Number.isFinite(amount) || amount < 0 || amount >= 1e12) return null;
  return amount.toFixed(2);
}

// "R$ 1.234,56" (pt-BR) or "R$1,234.56" (en), like the server's app.rep.payload.brl. Written
// by hand: building an Intl currency formatter costs a slow phone a long task at startup.
export function formatMoney(value, lang) {
  if (value == null || value === "") return "";
  const n = Number(value);
  const [whole, cents] = Math.abs(n).toFixed(2).split(".");
  const en = String(lang || "pt-BR").toLowerCase().startsWith("en");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, en ? "," : ".");
  const sign = n < 0 ? "-" : "";
  return en ? `${sign}R$${grouped}.${cents}` : `${sign}R$\u00a0${grouped},${cents}`;
}
