// The sandbox page: draws the parts the server renders, sends what people do, and follows live updates.
"use strict";

const params = new URLSearchParams(location.search);
const state = {
  me: document.body.dataset.me,
  channel: params.get("c") || "",
  thread: params.get("t") || "",
  tab: params.get("tab") || "messages",
  modalKey: "",
  parts: {},
};

const $ = (selector, root = document) => root.querySelector(selector);

function toast(text) {
  const box = $("#toast");
  box.textContent = text;
  box.classList.add("shown");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.remove("shown"), 6000);
}

async function post(action, body) {
  const response = await fetch(`/ui/${action}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ as: state.me, ...body }),
  });
  const answer = await response.json();
  if (answer.problem) toast(answer.problem);
  await refresh();
  return answer;
}

function place(id, html) {
  if (state.parts[id] === html) return false;
  state.parts[id] = html;
  $(id).innerHTML = html;
  return true;
}

function syncUrl() {
  const query = new URLSearchParams({ as: state.me, c: state.channel });
  if (state.tab === "home") query.set("tab", "home");
  if (state.thread) query.set("t", state.thread);
  history.replaceState(null, "", `/?${query}`);
}

let refreshing = null;
let again = false;
// One refresh at a time; a change announced meanwhile makes it go round once more. `refreshing` is cleared
// in the same step as the last check of `again`, so no announcement can fall between the two.
function refresh() {
  if (refreshing) { again = true; return refreshing; }
  refreshing = (async () => {
    try {
      do {
        again = false;
        const asked = { c: state.channel, t: state.thread, tab: state.tab };
        const frame = await (await fetch(`/ui/frame?${new URLSearchParams({ as: state.me, ...asked })}`)).json();
        // Someone navigated while this was on its way: ask again rather than draw the old place.
        if (asked.c !== state.channel || asked.t !== state.thread || asked.tab !== state.tab) again = true;
        else draw(frame);
      } while (again);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function draw(frame) {
  state.channel = frame.channel;
  state.tab = frame.tab;
  syncUrl();
  document.title = `${frame.name} · Idea Coach sandbox`;
  $("#clock").textContent = frame.clock;
  place("#sidebar", frame.sidebar);
  place("#conv-header", frame.header);
  const list = $("#messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  if (place("#messages", frame.main) && (atBottom || !list.dataset.scrolled)) {
    list.scrollTop = list.scrollHeight;
    list.dataset.scrolled = "1";
    // Images (the digest's chart) grow the list after they load: stay at the newest message.
    list.querySelectorAll("img").forEach((img) => {
      if (!img.complete) img.addEventListener("load", () => { list.scrollTop = list.scrollHeight; }, { once: true });
    });
  }
  $("#composer").hidden = frame.tab === "home";
  $("#message-box").placeholder = `Message ${frame.name}`;
  const pane = $("#thread-pane");
  pane.hidden = !state.thread;
  if (state.thread && place("#thread-messages", frame.thread)) {
    const replies = $("#thread-messages");
    replies.scrollTop = replies.scrollHeight;
  }
  if (frame.modal_key !== state.modalKey) {
    state.modalKey = frame.modal_key;
    $("#modal-root").innerHTML = frame.modal;
    // Where the app said something is wrong, or else the first field.
    const invalid = $("#modal-root [aria-invalid=true]");
    const first = invalid || $("#modal-root input, #modal-root textarea, #modal-root select");
    if (first) {
      const control = first.matches("fieldset") ? first.querySelector("input") : first;
      control.focus();
      first.scrollIntoView({ block: "center" });
    }
  }
}

// --- values of Block Kit controls ---------------------------------------------------------------

function valueOf(control, root) {
  const type = control.dataset.type;
  if (type === "checkboxes") {
    return [...root.querySelectorAll(`input[data-block="${CSS.escape(control.dataset.block)}"]` +
      `[data-action="${CSS.escape(control.dataset.action)}"]:checked`)].map((box) => box.value);
  }
  if (type === "radio_buttons") {
    const picked = root.querySelector(`input[data-block="${CSS.escape(control.dataset.block)}"]` +
      `[data-action="${CSS.escape(control.dataset.action)}"]:checked`);
    return picked ? picked.value : null;
  }
  if (control.multiple) return [...control.selectedOptions].map((option) => option.value);
  return control.value;
}

function gather(root) {
  const values = {};
  root.querySelectorAll("[data-block][data-action]").forEach((control) => {
    if (control.dataset.type === "button" || control.dataset.type === "overflow") return;
    const block = (values[control.dataset.block] ||= {});
    block[control.dataset.action] = valueOf(control, root);
  });
  return values;
}

function checkRequired(form) {
  let fine = true;
  form.querySelectorAll("[data-input]").forEach((field) => {
    field.querySelectorAll(".field-error.client").forEach((old) => old.remove());
    const control = field.querySelector("[data-block]");
    if (!control) return;
    const value = valueOf(control, field);
    const empty = value === null || value === "" || (Array.isArray(value) && value.length === 0);
    const min = Number(control.dataset.minlength || 0);
    let problem = "";
    if (field.dataset.required && empty) problem = "Please complete this required field.";
    else if (!empty && min && String(value).length < min) problem = `Must be at least ${min} characters.`;
    if (problem) {
      const note = document.createElement("div");
      note.className = "field-error client";
      note.setAttribute("role", "alert");
      note.textContent = problem;
      field.appendChild(note);
      fine = false;
    }
  });
  return fine;
}

// --- confirm dialogs ----------------------------------------------------------------------------

function confirmFirst(spec) {
  return new Promise((resolve) => {
    const root = $("#confirm-root");
    root.innerHTML = `<div class="overlay"><div role="alertdialog" aria-modal="true" class="modal confirm"
      aria-labelledby="confirm-title" aria-describedby="confirm-text"><header><h2 id="confirm-title"></h2></header>
      <div class="modal-body"><p id="confirm-text"></p></div><footer><button type="button" class="btn" data-no></button>
      <button type="button" class="btn primary" data-yes></button></footer></div></div>`;
    $("#confirm-title", root).textContent = spec.title;
    $("#confirm-text", root).textContent = spec.text;
    $("[data-no]", root).textContent = spec.deny;
    const yes = $("[data-yes]", root);
    yes.textContent = spec.confirm;
    if (spec.style === "danger") yes.classList.replace("primary", "danger");
    const done = (answer) => { root.innerHTML = ""; resolve(answer); };
    $("[data-no]", root).onclick = () => done(false);
    yes.onclick = () => done(true);
    yes.focus();
  });
}

// --- what people do -----------------------------------------------------------------------------

async function act(control, value) {
  const container = control.closest("[data-container]");
  if (!container) return;
  if (control.dataset.confirm && !(await confirmFirst(JSON.parse(control.dataset.confirm)))) return;
  const body = { block: control.dataset.block, action: control.dataset.action, value };
  if (container.dataset.container === "view") {
    body.view = container.dataset.view;
    body.state = gather(container);
  } else {
    body.channel = container.dataset.channel;
    body.ts = container.dataset.ts;
  }
  control.disabled = control.tagName === "BUTTON";
  try { await post("action", body); } finally { control.disabled = false; }
}

// A permalink to a message here (Slack's /archives/C…/p… shape): open its conversation and thread in place.
function openPermalink(link) {
  const url = new URL(link.href, location.href);
  const match = url.origin === location.origin && url.pathname.match(/^\/archives\/([A-Z0-9]+)\/p(\d+)(\d{6})$/);
  if (!match) return false;
  state.channel = match[1];
  state.tab = "messages";
  state.thread = url.searchParams.get("thread_ts") || `${match[2]}.${match[3]}`;
  refresh();
  return true;
}

document.addEventListener("click", async (event) => {
  const permalink = event.target.closest("a[href]");
  if (permalink && !permalink.dataset.nav && openPermalink(permalink)) {
    event.preventDefault();
    return;
  }
  const nav = event.target.closest("a[data-nav]");
  if (nav) {
    event.preventDefault();
    const target = new URL(nav.href);
    state.channel = target.searchParams.get("c");
    state.tab = target.searchParams.get("tab") || "messages";
    state.thread = "";
    if (state.tab === "home") await post("home", {});
    else await refresh();
    return;
  }
  const thread = event.target.closest("[data-thread]");
  if (thread) {
    state.thread = thread.dataset.thread;
    await refresh();
    $("#reply-box").focus();
    return;
  }
  const modalButton = event.target.closest("[data-modal]");
  if (modalButton) {
    const view = modalButton.closest("[data-view]").dataset.view;
    await post("close", { view, all: modalButton.dataset.modal === "dismiss" });
    return;
  }
  const button = event.target.closest("button[data-action]");
  if (button) await act(button, null);
});

document.addEventListener("change", async (event) => {
  const control = event.target.closest("[data-action]");
  if (!control || control.closest("[data-input]")) return; // inputs in forms wait for Submit
  if (control.dataset.type === "button") return;
  const container = control.closest("[data-container]");
  await act(control, valueOf(control, container));
  if (control.classList.contains("overflow")) control.value = "";
});

document.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  if (form.classList.contains("modal-form")) {
    if (!checkRequired(form)) return;
    const view = form.closest("[data-view]").dataset.view;
    const submit = form.querySelector("button[type=submit]");
    if (submit) submit.disabled = true;
    try { await post("submit", { view, state: gather(form) }); } finally { if (submit) submit.disabled = false; }
  } else if (form.id === "skip-form") {
    const button = form.querySelector("button");
    button.disabled = true;
    try { await post("skip", { days: Number($("#skip-days").value || 1) }); } finally { button.disabled = false; }
  }
});

function sendOnEnter(box, thread) {
  box.addEventListener("keydown", async (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    const text = box.value;
    if (!text.trim()) return;
    box.value = "";
    await post("send", { channel: state.channel, text, thread: thread() });
  });
}

sendOnEnter($("#message-box"), () => "");
sendOnEnter($("#reply-box"), () => state.thread);

$("#close-thread").addEventListener("click", () => { state.thread = ""; refresh(); });
$("#acting-as").addEventListener("change", (event) => {
  location.href = `/?${new URLSearchParams({ as: event.target.value, c: state.channel })}`;
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const modal = $("#modal-root [data-view]");
  if (modal && !$("#confirm-root").innerHTML) post("close", { view: modal.dataset.view, all: true });
});

const stream = new EventSource("/ui/stream");
stream.addEventListener("changed", () => refresh());
stream.addEventListener("hello", () => refresh());
if (state.tab === "home") post("home", {}); else refresh();
