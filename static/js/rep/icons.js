// Icons drawn as SVG paths (24×24, currentColor), so every phone shows the same shape
// whatever emoji font it has. Always used beside a word; the icon itself is aria-hidden.

const PATHS = {
  check: "M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z",
  pin: "M14 3v2h1v5.6l2 2V14h-4v6l-1 1-1-1v-6H7v-1.4l2-2V5h1V3z",
  alert: "M12 2 1 21h22L12 2zm0 4 7.5 13h-15L12 6zm-1 4v5h2v-5h-2zm0 6v2h2v-2h-2z",
  clock: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zm-1 3v6l5 3 1-1.7-4-2.3V7z",
  down: "M3 6.4 4.4 5l6.1 6.1 3.5-3.5 6 6V11h2v6.5h-6.5v-2h3.1L14 11l-3.5 3.5z",
  ring: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 5a5 5 0 1 1 0 10 5 5 0 0 1 0-10zm0 2a3 3 0 1 0 0 6 3 3 0 0 0 0-6zM6.3 4.9 9 7.6 7.6 9 4.9 6.3zm11.4 0 1.4 1.4L16.4 9 15 7.6zM7.6 15 9 16.4l-2.7 2.7-1.4-1.4zm8.8 0 2.7 2.7-1.4 1.4-2.7-2.7z",
  block: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM4 12a8 8 0 0 1 12.9-6.3L5.7 16.9A8 8 0 0 1 4 12zm8 8a8 8 0 0 1-4.9-1.7L18.3 7.1A8 8 0 0 1 12 20z",
  star: "m12 2 3 6.6 7 .7-5.3 4.8 1.6 7L12 17.4 5.7 21l1.6-7L2 9.3l7-.7z",
  nav: "M12 2 4 21l8-4 8 4z",
  phone: "M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1A17 17 0 0 1 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1z",
  chat: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-4 4V5a2 2 0 0 1 2-2zm2 4v2h12V7H6zm0 4v2h9v-2H6z",
  lunch: "M7 2v8a3 3 0 0 0 2 2.8V22h2V12.8A3 3 0 0 0 13 10V2h-1.5v7h-1V2H9v7H8V2zm10 0c-2 0-3 2.2-3 5v6h2v9h2V2z",
  near: "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm9 3a9 9 0 0 0-8-8V1h-2v2a9 9 0 0 0-8 8H1v2h2a9 9 0 0 0 8 8v2h2v-2a9 9 0 0 0 8-8h2v-2zm-9 8a7 7 0 1 1 0-14 7 7 0 0 1 0 14z",
  undo: "M12.5 8c-2.6 0-5 1-6.9 2.6L2 7v9h9l-3.6-3.6A8 8 0 0 1 20.1 16l2.4-.8A10.5 10.5 0 0 0 12.5 8z",
  note: "M5 3h10l4 4v14H5zm9 1.5V8h3.5zM7 11v2h10v-2zm0 4v2h7v-2z",
  money: "M3 6h18v12H3zm2 2v8h14V8zm7 1a3 3 0 1 1 0 6 3 3 0 0 1 0-6z",
  skip: "M5 5v14l8-7zm8 0v14l8-7z",
  user: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-3.3 0-8 1.7-8 5v2h16v-2c0-3.3-4.7-5-8-5z",
  edit: "M3 17.2V21h3.8L17.9 9.9l-3.8-3.8zM20.7 7a1 1 0 0 0 0-1.4l-2.3-2.3a1 1 0 0 0-1.4 0l-1.8 1.8 3.8 3.8z",
  calendar: "M7 2v2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2h-2V2h-2v2H9V2H7zm-2 8h14v10H5V10z",
  wifi: "M1 9l2 2a12.7 12.7 0 0 1 18 0l2-2A15.5 15.5 0 0 0 1 9zm8 8 3 3 3-3a4.2 4.2 0 0 0-6 0zm-4-4 2 2a7 7 0 0 1 10 0l2-2a9.9 9.9 0 0 0-14 0z",
};

// Score flags (app/presenters_scoring.FLAGS css classes) and their shapes.
export const FLAG_ICONS = { gap: "clock", lapse: "down", rescue: "ring", collect: "alert", credit: "block", new: "star" };

export function icon(name, size = 18) {
  const d = PATHS[name] || PATHS.alert;
  return `<svg class="ico" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="${size}" height="${size}"><path fill="currentColor" d="${d}"/></svg>`;
}
