"""The page around the live parts; the script fills them in from /ui/frame and keeps them current."""

from __future__ import annotations

import html
from datetime import datetime

from sandbox import page, people


def render(me: str, now: datetime) -> str:
    person = people.BY_ID[me]
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'self'; img-src 'self' data: https:; script-src 'self'; style-src 'self'; connect-src 'self'">
<title>Idea Coach sandbox</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
</head>
<body data-me="{html.escape(me)}">
<div class="app">
  <nav class="sidebar" aria-label="Workspace">
    <div class="workspace">
      <div class="workspace-name">Credit Union</div>
      <div class="workspace-sub">Idea Coach sandbox</div>
    </div>
    <div class="who">{page.switcher(me)}</div>
    <div id="sidebar"></div>
    <form class="time-travel" id="skip-form">
      <div class="clock">🕒 <span id="clock"></span></div>
      <label for="skip-days">Business days</label>
      <input id="skip-days" type="number" min="1" max="60" value="5">
      <button type="submit" class="btn">Skip ahead</button>
    </form>
  </nav>
  <main class="conversation">
    <header class="conv-header" id="conv-header"></header>
    <section id="messages" class="messages" role="log" aria-label="Messages" aria-live="polite"></section>
    <form class="composer" id="composer">
      <textarea id="message-box" aria-label="Message" rows="1"
        placeholder="Message, or type /idea and a title"></textarea>
      <div class="composer-hint">Enter to send · Shift+Enter for a new line · <code>/idea help</code></div>
    </form>
  </main>
  <aside class="thread" id="thread-pane" aria-label="Thread" hidden>
    <header><h2>Thread</h2><button type="button" class="icon-btn" id="close-thread"
      aria-label="Close thread">×</button></header>
    <div id="thread-messages" class="messages"></div>
    <form class="composer" id="reply-form">
      <textarea id="reply-box" aria-label="Reply" rows="1" placeholder="Reply…"></textarea>
    </form>
  </aside>
</div>
<div id="modal-root"></div>
<div id="confirm-root"></div>
<div id="toast" role="status" aria-live="polite"></div>
<noscript>This page needs JavaScript. You are {html.escape(person.name)}.</noscript>
</body>
</html>"""
