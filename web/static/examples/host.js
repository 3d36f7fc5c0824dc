// How a host page talks to embedded Mailpath frames: size each frame to its content and show what it reports.
// Mailpath posts {type: "mailpath:height" | "mailpath:ready" | "mailpath:step" | "mailpath:outcome" | "mailpath:error"};
// it accepts {type: "mailpath:load", preset | link}, {type: "mailpath:step", step}, and mailpath:next, prev, play,
// pause, restart.
window.addEventListener('message', (event) => {
  const frame = [...document.querySelectorAll('iframe')].find((f) => f.contentWindow === event.source);
  const data = event.data;
  if (!frame || typeof data !== 'object' || data === null || typeof data.type !== 'string') return;
  if (data.type === 'mailpath:height' && Number.isFinite(data.height)) {
    frame.height = String(Math.min(Math.max(Math.ceil(data.height), 200), 4000));
  } else if (data.type === 'mailpath:outcome') {
    const log = document.getElementById('log');
    if (log) log.textContent = `${frame.id}: ${data.ending} (${data.summary})`;
  }
});

/** Sends a command to the embed with this id, e.g. send('denied', {type: 'mailpath:load', preset: 'happy-path'}). */
window.mailpathSend = (id, message) => {
  document.getElementById(id)?.contentWindow?.postMessage(message, '*');
};
