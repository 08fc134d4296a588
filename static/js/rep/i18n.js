// The words of the phone's screens, translated on the server (app/rep/strings.py) and
// handed over as JSON in the page: plain words, and plural pairs chosen by count.

const data = JSON.parse(document.getElementById("rep-i18n").textContent);
export const t = data.words;
export const lang = document.documentElement.lang || "pt-BR";

export function fmt(template, values) {
  return String(template).replace(/%\((\w+)\)[sd]/g, (_, k) => (k in values ? values[k] : ""));
}

// "1 pendente", "2 pendentes", "0 pendentes". Only 1 is singular: zero takes the plural
// in Brazilian usage ("0 visitas", never "0 visita"), though CLDR and gettext's pt_BR rule
// put 0 with 1. English agrees. Counts on these screens are whole numbers.
export function plural(key, n, values = {}) {
  const [one, other] = data.plurals[key];
  return fmt(Math.abs(n) === 1 ? one : other, { num: n, ...values });
}

// Building an Intl date formatter costs hundreds of milliseconds on a slow phone (time
// zone data): clock times are written by hand, 24 h like the server's, and the company's
// local time comes from the UTC offset the server sends with the day.
const pad = (n) => String(n).padStart(2, "0");

export function clockTime(date) {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// Seconds since midnight and the date (YYYY-MM-DD) at a UTC offset (the company's today).
export function zoned(offsetS, date = new Date()) {
  const local = new Date(date.getTime() + offsetS * 1000);
  const day = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  return { day, seconds: local.getUTCHours() * 3600 + local.getUTCMinutes() * 60 + local.getUTCSeconds() };
}

let decimals = null;

export function decimal(value) {
  if (!decimals) decimals = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  return decimals.format(value);
}
