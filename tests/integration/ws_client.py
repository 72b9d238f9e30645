#!/usr/bin/python3
"""Checks against a running faqbot server, one scenario per invocation.

usage: ws_client.py PORT SCENARIO [ARGS...]

Runs with Debian's python3-websockets (/usr/bin/python3). Exits 0 when the
scenario holds, 1 with the reason on stderr when it does not. Every wait is
bounded by a timeout.
"""
import asyncio
import glob
import http.client
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request

import websockets

T = 5.0  # seconds for any single wait


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def get(port, path, headers=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=T) as r:
            return r.status, dict((k.lower(), v) for k, v in r.headers.items()), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict((k.lower(), v) for k, v in e.headers.items()), e.read()


def stats(port):
    status, _, body = get(port, "/api/stats")
    check(status == 200, f"/api/stats answered {status}")
    return json.loads(body)


def connect(port, origin=None):
    return websockets.connect(f"ws://127.0.0.1:{port}/ws", subprotocols=["faq-chat"], origin=origin,
                              open_timeout=T, close_timeout=T, max_size=2 ** 22)


async def recv(ws, want=None, timeout=T):
    """The next envelope (of type want, skipping others)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        check(left > 0, f"no {want or 'frame'} within {timeout} s")
        env = json.loads(await asyncio.wait_for(ws.recv(), left))
        if want is None or env.get("type") in (want if isinstance(want, tuple) else (want,)):
            return env


async def hello(ws, token=None, lang="en", scene=None):
    h = {"v": 1, "type": "hello", "lang": lang}
    if token:
        h["token"] = token
    if scene:
        h["scene"] = scene
    await ws.send(json.dumps(h))
    w = await recv(ws, "welcome")
    check(len(w.get("token", "")) == 32, f"welcome without a token: {w}")
    return w


async def ask(ws, text, mid="c-1"):
    await ws.send(json.dumps({"v": 1, "type": "message", "id": mid, "text": text}))
    return await recv(ws, ("answer", "clarify", "fallback", "error"))


def first_question(kb, entry, lang):
    for path in glob.glob(os.path.join(kb, "**", "*.json"), recursive=True):
        try:
            doc = json.load(open(path, encoding="utf-8"))
        except ValueError:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
            continue
        for e in doc["entries"]:
            if e.get("id") == entry and e.get("lang", doc.get("lang")) == lang:
                return e["questions"][0], path
    raise Fail(f"entry {entry} ({lang}) not found in {kb}")


async def closed_with(ws, code, timeout=T):
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    except websockets.exceptions.ConnectionClosed as e:
        check(e.code == code, f"closed with {e.code}, expected {code}")
        return
    except asyncio.TimeoutError:
        raise Fail(f"not closed within {timeout} s (expected {code})")


# ---- scenarios ----

def sc_health(port):
    status, headers, body = get(port, "/api/health")
    check(status == 200, f"status {status}")
    check(headers.get("content-type", "").startswith("application/json"), f"content-type {headers.get('content-type')}")
    check(json.loads(body).get("status") == "ok", f"body {body!r}")
    status, _, body = get(port, "/api/version")
    check(status == 200 and json.loads(body).get("protocol") == 1, f"/api/version: {status} {body!r}")
    status, _, _ = get(port, "/api/nothing-here")
    check(status == 404, f"/api/nothing-here answered {status}")


def sc_static(port):
    status, headers, body = get(port, "/")
    check(status == 200, f"status {status}")
    csp = headers.get("content-security-policy", "")
    check("default-src 'none'" in csp and "script-src 'self'" in csp, f"CSP header: {csp!r}")
    check(headers.get("x-frame-options", "").lower() == "deny", "no x-frame-options: deny")
    check(headers.get("x-content-type-options") == "nosniff", "no x-content-type-options: nosniff")
    # One keep-alive connection, several files and the API: each response is its own.
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=T)
    for path, ctype in (("/", "text/html"), ("/widget/faqbot.css", "text/css"), ("/widget/faqbot.js", "javascript"),
                        ("/api/health", "application/json"), ("/widget/faqbot.css", "text/css")):
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        check(r.status == 200 and ctype in r.getheader("content-type", ""), f"keep-alive {path}: {r.status} "
              f"{r.getheader('content-type')}")
        check(len(body) == int(r.getheader("content-length", "-1")), f"keep-alive {path}: length mismatch")
    conn.close()


async def sc_ask(port, kb, entry, lang):
    q, _ = first_question(kb, entry, lang)
    async with connect(port) as ws:
        w = await hello(ws, lang=lang)
        check(w["lang"] == lang, f"welcome in {w['lang']}, expected {lang}")
        check(w["greeting"] and isinstance(w["suggestions"], list), f"welcome without greeting/suggestions: {w}")
        a = await ask(ws, q)
        check(a["type"] == "answer", f"{q!r}: got {a}")
        check(a["entry"] == entry and a["reply_to"] == "c-1" and a["id"].startswith("s-"), f"{q!r}: got {a}")
        check(a.get("lang") == lang, f"answered in {a.get('lang')}")


async def sc_fragmented(port, kb, entry, lang):
    q, _ = first_question(kb, entry, lang)
    async with connect(port) as ws:
        await hello(ws, lang=lang)
        frame = json.dumps({"v": 1, "type": "message", "id": "c-f", "text": q})
        await ws.send([frame[:5], frame[5:12], frame[12:]])  # one message in three frames
        a = await recv(ws, ("answer", "clarify", "fallback", "error"))
        check(a["type"] == "answer" and a["entry"] == entry, f"got {a}")


async def sc_oversize(port):
    async with connect(port) as ws:
        await hello(ws)
        await ws.send(json.dumps({"v": 1, "type": "message", "id": "c-big", "text": "a" * 20000}))
        await closed_with(ws, 1009)


async def sc_bad_input(port, kb, entry, lang):
    q, _ = first_question(kb, entry, lang)
    async with connect(port) as ws:
        await ws.send(json.dumps({"v": 1, "type": "message", "id": "c-0", "text": q}))
        e = await recv(ws)
        check(e["type"] == "error" and e["code"] == "not_ready", f"message before hello: {e}")
        await hello(ws)
        for frame, code in (("{not json", "bad_json"), ("[1,2]", "bad_json"),
                            (json.dumps({"v": 1, "type": "dance"}), "bad_type"),
                            (json.dumps({"v": 2, "type": "message", "text": "x"}), "bad_version"),
                            (json.dumps({"v": 1, "type": "message"}), "missing_field"),
                            (json.dumps({"v": 1, "type": "message", "text": 5}), "bad_field"),
                            (json.dumps({"v": 1, "type": "message", "text": "x" * 5000}), "too_long"),
                            (json.dumps({"v": 1, "type": "feedback", "reply_to": "s-99", "value": "up"}), "bad_field")):
            await ws.send(frame)
            e = await recv(ws)
            check(e["type"] == "error" and e["code"] == code and e.get("message"), f"{frame[:40]!r}: {e}")
            await asyncio.sleep(0.2)  # stay under the rate limit (5 frames/s)
        await ws.write_frame(True, websockets.frames.Opcode.TEXT, b'{"v":1,"type":"message","text":"\xff\xfe"}')
        e = await recv(ws)
        check(e["type"] == "error" and e["code"] == "bad_utf8", f"invalid UTF-8: {e}")
        a = await ask(ws, q, "c-after")
        check(a["type"] == "answer" and a["entry"] == entry and a["reply_to"] == "c-after", f"after errors: {a}")


async def sc_resume(port, kb, entry, lang):
    q, _ = first_question(kb, entry, lang)
    async with connect(port) as ws:
        w = await hello(ws, lang=lang)
        check(w["transcript"] == [] and w["resumed"] is False, f"new session with a transcript: {w}")
        a = await ask(ws, q, "c-r1")
        check(a["type"] == "answer", f"got {a}")
        await ws.send(json.dumps({"v": 1, "type": "feedback", "reply_to": a["id"], "value": "up"}))
        token = w["token"]
    async with connect(port) as ws:
        w2 = await hello(ws, token=token, lang=lang)
        check(w2["token"] == token and w2["resumed"] is True, f"not resumed: {w2}")
        tr = w2["transcript"]
        check([t["type"] for t in tr] == ["message", "answer", "feedback"], f"transcript {[t['type'] for t in tr]}")
        check(tr[0]["text"] == q and tr[0]["from"] == "customer" and tr[0]["id"] == "c-r1", f"transcript[0] {tr[0]}")
        check(tr[1]["id"] == a["id"] and tr[1]["entry"] == entry, f"transcript[1] {tr[1]}")
        a2 = await ask(ws, q, "c-r2")
        check(a2["id"] != a["id"], f"message ids repeat after resume: {a2['id']}")
    async with connect(port) as ws:
        w3 = await hello(ws, token="0" * 32, lang=lang)
        check(w3["token"] != "0" * 32 and w3["resumed"] is False, f"an unknown token was accepted: {w3}")


async def sc_tabs(port, kb, entry, lang):
    q, _ = first_question(kb, entry, lang)
    async with connect(port) as a, connect(port) as b:
        w = await hello(a, lang=lang)
        await hello(b, token=w["token"], lang=lang)
        await a.send(json.dumps({"v": 1, "type": "message", "id": "c-tab", "text": q}))
        echo = await recv(b, "message")
        check(echo["from"] == "customer" and echo["text"] == q and echo["id"] == "c-tab", f"echo {echo}")
        ra = await recv(a, ("answer", "clarify", "fallback"))
        rb = await recv(b, ("answer", "clarify", "fallback"))
        check(ra == rb and ra["type"] == "answer" and ra["entry"] == entry, f"tabs got {ra} and {rb}")


async def sc_choose(port, kb, entry, lang):
    q, _ = first_question(kb, entry, lang)
    async with connect(port) as ws:
        await hello(ws, lang=lang)
        a = await ask(ws, q)
        await ws.send(json.dumps({"v": 1, "type": "choose", "reply_to": a["id"], "entry": entry}))
        c = await recv(ws, ("answer", "error"))
        check(c["type"] == "answer" and c["entry"] == entry and c["reply_to"] == a["id"], f"choose: {c}")
        await ws.send(json.dumps({"v": 1, "type": "choose", "reply_to": a["id"], "entry": None}))
        f = await recv(ws, ("fallback", "error"))
        check(f["type"] == "fallback" and f["text"], f"none of these: {f}")
        await ws.send(json.dumps({"v": 1, "type": "choose", "reply_to": a["id"], "entry": "no-such-entry"}))
        e = await recv(ws)
        check(e["type"] == "error" and e["code"] == "bad_field", f"unknown entry: {e}")


async def sc_fallback(port):
    async with connect(port) as ws:
        await hello(ws, lang="en", scene="order_detail")
        f1 = await ask(ws, "blorptastic quizzical zyx", "c-x1")
        check(f1["type"] == "fallback" and "Talk to a person" in f1["text"], f"first fallback: {f1}")
        f2 = await ask(ws, "flumbergast wibbly", "c-x2")
        check(f2["type"] == "fallback" and "still" in f2["text"] and f2["text"] != f1["text"], f"second: {f2}")


async def sc_rate(port):
    """Frames one after the other, each answered: errors until the bucket is empty, then
    rate_limited with retry_after_ms, then close 1008 when it goes on."""
    limited = None
    async with connect(port) as ws:
        await hello(ws)
        try:
            for i in range(60):
                await ws.send("x")
                e = await recv(ws, "error")
                if e["code"] == "rate_limited":
                    limited = e
                else:
                    check(e["code"] == "bad_json" and limited is None, f"frame {i}: {e}")
            raise Fail("60 frames at once were never closed with 1008")
        except websockets.exceptions.ConnectionClosed as e:
            check(e.code == 1008, f"closed with {e.code}, expected 1008")
    check(limited and limited.get("retry_after_ms", 0) > 0, f"no rate_limited error before the close: {limited}")


async def sc_reload(port, kb, entry, lang):
    q, path = first_question(kb, entry, lang)
    marker = f"(updated {os.getpid()})"
    async with connect(port) as ws:
        await hello(ws, lang=lang)
        a = await ask(ws, q, "c-before")
        check(a["type"] == "answer", f"before: {a}")
        doc = json.load(open(path, encoding="utf-8"))
        for e in doc["entries"]:
            if e["id"] == entry:
                e["answer"] = e["answer"] + " " + marker
        tmp = path + ".tmp~"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
        deadline = time.monotonic() + 15
        n = 0
        while True:
            n += 1
            a = await ask(ws, q, f"c-poll-{n}")
            if a["type"] == "answer" and marker in a["text"]:
                break
            check(time.monotonic() < deadline, "the new answer did not arrive within 15 s")
            await asyncio.sleep(0.5)
        check(ws.open, "the connection did not stay open")


async def sc_broken(port, kb, entry, lang):
    q, path = first_question(kb, entry, lang)
    before = stats(port)["kb"]
    good = open(path, "rb").read()
    try:
        async with connect(port) as ws:
            await hello(ws, lang=lang)
            with open(path, "wb") as f:
                f.write(good[: len(good) // 2])  # a file cut in half: not JSON
            deadline = time.monotonic() + 15
            while True:
                s = stats(port)["kb"]
                if s["reload_failures"] > before["reload_failures"]:
                    break
                check(time.monotonic() < deadline, "no failed reload within 15 s")
                await asyncio.sleep(0.3)
            check(s["last_reload"]["ok"] is False and s["last_reload"]["error"], f"stats: {s}")
            check(s["entries"] == before["entries"], "the entry count changed after a broken reload")
            a = await ask(ws, q, "c-broken")
            check(a["type"] == "answer" and a["entry"] == entry, f"with a broken KB on disk: {a}")
    finally:
        with open(path, "wb") as f:
            f.write(good)
    deadline = time.monotonic() + 15
    while stats(port)["kb"]["last_reload"]["ok"] is not True:
        check(time.monotonic() < deadline, "the repaired KB was not reloaded within 15 s")
        time.sleep(0.3)


async def sc_origin(port):
    try:
        async with connect(port, origin="https://evil.example") as ws:
            await hello(ws)
        raise Fail("a foreign origin was accepted")
    except (websockets.exceptions.InvalidHandshake, websockets.exceptions.ConnectionClosed, OSError):
        pass
    async with connect(port, origin="http://localhost:3000") as ws:
        await hello(ws)
    async with connect(port, origin=f"http://127.0.0.1:{port}") as ws:
        await hello(ws)


def scene_row(port, scene):
    for row in stats(port).get("scenes", []):
        if row["scene"] == scene:
            return row
    return {"replies": 0, "answers": 0, "fallbacks": 0}


async def sc_scene_stats(port):
    """/api/stats counts the bot's replies per scene, with the fallback rate of each."""
    before = scene_row(port, "product")
    async with connect(port) as ws:
        await hello(ws, scene="product")
        r2 = await ask(ws, "zxqv wplk mrtz", "c-1")
        r1 = await ask(ws, "how much is shipping", "c-2")
    check(r2["type"] == "fallback", f"expected a fallback: {r2}")
    after = scene_row(port, "product")
    check(after["replies"] - before["replies"] == 2, f"2 replies in the product scene, stats say {before} -> {after}")
    check(after["fallbacks"] - before["fallbacks"] == 1, f"1 fallback in the product scene: {before} -> {after}")
    check(after["answers"] - before["answers"] == (1 if r1["type"] == "answer" else 0), f"answers: {after}")
    check(abs(after["fallback_rate"] - after["fallbacks"] / after["replies"]) < 1e-9, f"fallback_rate: {after}")


def big_entries(n_entries=60, n_variants=120):
    """A KB file of n_entries x n_variants distinct English questions: seconds to train."""
    words = ["card", "transfer", "limit", "account", "fee", "statement", "balance", "deposit", "pin", "cash",
             "payment", "refund", "charge", "exchange", "rate", "salary", "loan", "savings", "wallet", "branch"]
    entries = []
    for e in range(n_entries):
        qs = []
        for v in range(n_variants):
            a, b, c = words[(e + v) % 20], words[(e * 7 + v * 3) % 20], words[(v * 11 + e) % 20]
            qs.append(f"slowtopic{e} {a} {b} {c} question{v}")
        entries.append({"id": f"slow-{e}", "questions": qs, "answer": f"Answer {e}."})
    return {"lang": "en", "entries": entries}


async def sc_slow_reload(port, pid, kb):
    """While a big KB trains on the reload worker, the old one keeps answering; then the new one is in."""
    path = os.path.join(kb, "en", "zz-slow.json")
    before = stats(port)["kb"]
    with open(path, "w") as f:
        json.dump(big_entries(), f)
    try:
        os.kill(int(pid), signal.SIGHUP)
        time.sleep(0.2)   # the worker has started
        async with connect(port) as ws:
            await hello(ws)
            t0 = time.monotonic()
            r = await ask(ws, "how long does a refund take")
            took = time.monotonic() - t0
            now = stats(port)["kb"]
            check(r["type"] == "answer", f"no answer while the KB reloads: {r}")
            check(now["reloads"] == before["reloads"] and now["reload_failures"] == before["reload_failures"],
                  f"the reload was over before the answer ({took:.3f} s): it held up the service thread")
        deadline = time.monotonic() + 60
        while stats(port)["kb"]["reloads"] <= before["reloads"]:
            check(stats(port)["kb"]["reload_failures"] == before["reload_failures"], "the big KB failed to load")
            check(time.monotonic() < deadline, "the big KB was not in within 60 s")
            await asyncio.sleep(0.2)
        async with connect(port) as ws:
            await hello(ws)
            r = await ask(ws, "slowtopic7 card question3")
            check(r.get("entry") == "slow-7", f"the reloaded KB does not answer from its new entries: {r}")
    finally:
        os.unlink(path)
    before = stats(port)["kb"]["reloads"]
    os.kill(int(pid), signal.SIGHUP)
    deadline = time.monotonic() + 60
    while stats(port)["kb"]["reloads"] <= before:
        check(time.monotonic() < deadline, "the KB without the big file was not back within 60 s")
        await asyncio.sleep(0.2)


def sc_sighup(port, pid):
    before = stats(port)["kb"]["reloads"]
    os.kill(int(pid), signal.SIGHUP)
    deadline = time.monotonic() + 10
    while stats(port)["kb"]["reloads"] <= before:
        check(time.monotonic() < deadline, "SIGHUP did not reload the KB within 10 s")
        time.sleep(0.2)


async def sc_sigterm(port, pid):
    async with connect(port) as a, connect(port) as b:
        await hello(a)
        await hello(b)
        os.kill(int(pid), signal.SIGTERM)
        await closed_with(a, 1001)
        await closed_with(b, 1001)


# ---- scenes and intents ----

SHIPPED = {"order": {"id": "1234", "status": "shipped", "tracking_no": "SF1234567890", "shipped_at": "2026-11-27",
                     "carrier": "SF Express"}}


async def hello_in(ws, scene, context=None, lang="en", token=None):
    h = {"v": 1, "type": "hello", "lang": lang, "scene": scene}
    if context is not None:
        h["context"] = context
    if token:
        h["token"] = token
    await ws.send(json.dumps(h))
    return await recv(ws, "welcome")


async def go_to(ws, scene, context=None):
    m = {"v": 1, "type": "scene", "scene": scene}
    if context is not None:
        m["context"] = context
    await ws.send(json.dumps(m))
    return await recv(ws, ("welcome", "error"))


async def sc_scenes(port):
    async with connect(port) as ws:
        w = await hello_in(ws, "order_detail", SHIPPED)
        check(w.get("scene") == "order_detail.shipped", f"welcome scene {w.get('scene')}")
        check("1234" in w["greeting"] and "Where is my order?" in w["suggestions"], f"welcome {w}")
        a = await ask(ws, "where is my order?")
        check(a["type"] == "answer" and a.get("kind") == "answer" and a.get("intent") == "track-order-shipped",
              f"where is my order: {a}")
        check("SF1234567890" in a["text"] and "entry" not in a and a["quick_replies"], f"where is my order: {a}")
        # The customer moves to the refund form: a new welcome, the same conversation.
        w2 = await go_to(ws, "refund_form", {"order": {"id": "1234"}})
        check(w2["type"] == "welcome" and w2.get("scene") == "refund_form" and w2["token"] == w["token"], f"scene: {w2}")
        check(w2["resumed"] is True and len(w2["transcript"]) == 2, f"scene: transcript {w2['transcript']}")
        a = await ask(ws, "how long?", "c-2")
        check(a.get("entry") == "refund-time" and a.get("intent") == "how-long-refund", f"how long on refund_form: {a}")
        w3 = await go_to(ws, "product", {"product": {"id": "P-2041", "name": "Pour-over set"}})
        check(w3.get("scene") == "product" and "Pour-over set" in w3["greeting"], f"product welcome: {w3}")
        a = await ask(ws, "how long?", "c-3")
        check(a.get("entry") == "shipping-time" and a.get("intent") == "how-long-delivery", f"how long on product: {a}")
        e = await go_to(ws, 5)
        check(e["type"] == "error" and e["code"] == "bad_field", f"a bad scene frame: {e}")
    async with connect(port) as ws:
        w = await hello_in(ws, "order_detail", SHIPPED, lang="zh")
        check(w["lang"] == "zh" and "1234" in w["greeting"], f"zh welcome {w}")
        a = await ask(ws, "我的快递到哪了？")
        check(a.get("intent") == "track-order-shipped" and "SF1234567890" in a["text"] and a["lang"] == "zh",
              f"zh where is my order: {a}")


async def sc_slot(port):
    async with connect(port) as ws:
        await hello_in(ws, "home")
        a = await ask(ws, "I need an invoice")
        check(a["type"] == "answer" and a.get("kind") == "ask" and a.get("ask") == "order_id" and
              a.get("intent") == "invoice", f"invoice question: {a}")
        a = await ask(ws, "it's order 20391", "c-2")
        check(a.get("kind") == "answer" and a.get("intent") == "invoice" and "20391" in a["text"], f"the order number: {a}")


async def sc_handoff(port):
    async with connect(port) as ws:
        await hello_in(ws, "order_detail", SHIPPED, lang="zh")
        a = await ask(ws, "转人工")
        check(a["type"] == "answer" and a.get("kind") == "handoff" and a.get("action") == "handoff", f"转人工: {a}")
        check(a.get("route") == {"team": "logistics", "priority": "normal"} and a["lang"] == "zh", f"转人工: {a}")
        # No agent is signed in: the hand-off becomes a ticket at once; the customer goes back to the bot.
        st = await recv(ws, "handoff_status")
        check(st["state"] == "ticket" and st["ticket"].startswith("T-") and st["team"] == "logistics", f"status: {st}")
        await ws.send(json.dumps({"v": 1, "type": "cancel_handoff"}))
        st = await recv(ws, "handoff_status")
        check(st["state"] == "bot", f"after cancel_handoff: {st}")
        a = await ask(ws, "I want to file a complaint", "c-2")
        check(a.get("kind") == "ticket" and a.get("action") == "ticket" and
              a.get("route") == {"team": "customer-care", "priority": "high"}, f"complaint: {a}")


async def no_error(ws, within=0.6):
    try:
        env = json.loads(await asyncio.wait_for(ws.recv(), within))
    except asyncio.TimeoutError:
        return
    check(env.get("type") != "error", f"unexpected {env}")


async def sc_resolved(port):
    async with connect(port) as ws:
        w = await hello_in(ws, "home")
        a = await ask(ws, "What payment methods do you accept?")
        check(a.get("kind") == "answer" and a.get("entry") == "payment-methods", f"answer: {a}")
        await ws.send(json.dumps({"v": 1, "type": "resolved", "reply_to": a["id"], "value": False}))
        r = await recv(ws, ("answer", "clarify", "error"))
        check(r["reply_to"] == a["id"] and (r["type"] == "clarify" or r.get("kind") == "info"), f"not solved: {r}")
        b = await ask(ws, "can I pay with paypal", "c-2")
        await ws.send(json.dumps({"v": 1, "type": "resolved", "reply_to": b["id"], "value": True}))
        r = await recv(ws, ("answer", "error"))
        check(r.get("kind") == "info" and r.get("survey") is True and r["reply_to"] == b["id"], f"solved: {r}")
        await ws.send(json.dumps({"v": 1, "type": "survey", "csat": 5, "ces": 6}))
        await no_error(ws)
        await ws.send(json.dumps({"v": 1, "type": "survey", "csat": 9}))
        e = await recv(ws)
        check(e["type"] == "error" and e["code"] == "bad_field", f"csat 9: {e}")
        await ws.send(json.dumps({"v": 1, "type": "resolved", "reply_to": "s-999", "value": True}))
        e = await recv(ws)
        check(e["type"] == "error" and e["code"] == "bad_field", f"resolved on nothing: {e}")
    async with connect(port) as ws:
        w2 = await hello_in(ws, "home", token=w["token"])
        types = [t["type"] for t in w2["transcript"]]
        check("resolved" in types and "survey" in types, f"transcript {types}")


async def sc_notice(port):
    async with connect(port) as ws:
        await hello_in(ws, "it_notice")
        n = await recv(ws, "notice")
        check(n["text"] == "Integration notice.", f"notice {n}")
    # Typing: the notice waits for the next reply.
    async with connect(port) as ws:
        await hello_in(ws, "home")
        await ws.send(json.dumps({"v": 1, "type": "typing", "on": True}))
        w = await go_to(ws, "it_notice")
        check(w["type"] == "welcome" and w.get("scene") == "it_notice", f"welcome {w}")
        try:
            env = json.loads(await asyncio.wait_for(ws.recv(), 0.6))
            raise Fail(f"something came while the customer was typing: {env}")
        except asyncio.TimeoutError:
            pass
        a = await ask(ws, "What payment methods do you accept?")
        check(a["type"] == "answer", f"answer {a}")
        n = await recv(ws, "notice")
        check(n["text"] == "Integration notice.", f"held notice {n}")


async def sc_intents_reload(port, intents):
    path = os.path.join(intents, "zz-test.json")
    good = open(path, encoding="utf-8").read()
    marker = f"(v{os.getpid()})"

    async def greeting():
        async with connect(port) as ws:
            return (await hello_in(ws, "it_notice"))["greeting"]

    before = stats(port)["intents"]
    check(before["on"] is True and before["scenes"] >= 13, f"stats {before}")
    with open(path + ".tmp~", "w", encoding="utf-8") as f:
        f.write(good.replace("(v1)", marker))
    os.replace(path + ".tmp~", path)
    deadline = time.monotonic() + 15
    while marker not in await greeting():
        check(time.monotonic() < deadline, "the edited greeting did not arrive within 15 s")
        await asyncio.sleep(0.3)
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write('{"scenes": [ {"id": "it_notice", "when": {"page": "it_notice"}, "boost": ["no-such-entry"]} ]}')
        deadline = time.monotonic() + 15
        while True:
            s = stats(port)["intents"]
            if s["reload_failures"] > before["reload_failures"]:
                break
            check(time.monotonic() < deadline, "no failed intents reload within 15 s")
            await asyncio.sleep(0.3)
        check(s["last_reload"]["ok"] is False and "no-such-entry" in s["last_reload"]["error"], f"stats {s}")
        check(marker in await greeting(), "a broken intents file replaced the working ones")
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(good)
    deadline = time.monotonic() + 15
    while stats(port)["intents"]["last_reload"]["ok"] is not True:
        check(time.monotonic() < deadline, "the repaired intents were not reloaded within 15 s")
        await asyncio.sleep(0.3)


SCENARIOS = {
    "health": sc_health, "static": sc_static, "ask": sc_ask, "fragmented": sc_fragmented,
    "oversize": sc_oversize, "bad-input": sc_bad_input, "resume": sc_resume, "tabs": sc_tabs,
    "choose": sc_choose, "fallback": sc_fallback, "rate": sc_rate, "reload": sc_reload,
    "broken": sc_broken, "origin": sc_origin, "sighup": sc_sighup, "sigterm": sc_sigterm,
    "scenes": sc_scenes, "slot": sc_slot, "handoff": sc_handoff, "resolved": sc_resolved, "notice": sc_notice,
    "intents-reload": sc_intents_reload, "slow-reload": sc_slow_reload, "scene-stats": sc_scene_stats,
}


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in SCENARIOS:
        sys.exit(f"usage: {sys.argv[0]} PORT {{{','.join(SCENARIOS)}}} [ARGS...]")
    fn = SCENARIOS[sys.argv[2]]
    try:
        r = fn(sys.argv[1], *sys.argv[3:])
        if asyncio.iscoroutine(r):
            asyncio.run(asyncio.wait_for(r, 40))
    except Fail as e:
        sys.exit(f"{sys.argv[2]}: {e}")
    except Exception as e:  # a crash of the client is a failed check too
        sys.exit(f"{sys.argv[2]}: {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
