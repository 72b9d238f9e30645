#!/usr/bin/python3
"""The human hand-off end to end against a running faqbot server.

usage: handoff_client.py PORT STATE_FILE phase1|phase2

phase1: agents sign in (cookie) and connect over faq-agent; customers ask
for a person and queue with their position; two agents race for one claim;
messages go both ways; agent typing reaches the customer; transfer; close
with a resolution; the bot stays silent while a person owns the chat;
authorization (no cookie, forged cookie, someone else's conversation); the
sign-in rate limit. It leaves three customers queued and writes what phase2
needs to STATE_FILE.

phase2 (after kill -9 and a restart on the same data directory): the queued
chats are still queued in order, the customers resume with their position,
and the transcript an agent receives is complete.

Prints "ok - <sentence>" per check, "not ok - ..." and exits 1 on the first
failure. Runs with Debian's python3-websockets; every wait is bounded.
"""
import asyncio
import hashlib
import hmac
import json
import sys
import time
import urllib.error
import urllib.request

import websockets

T = 5.0          # seconds for any single wait
QUIET = 1.5      # seconds of silence that prove the bot said nothing
PASSWORDS = {"alice": "alice-secret-1", "bob": "bob-secret-22"}
SECRET = "handoff-test-secret"   # handoff.sh starts the server with this context_secret


def signed(plain, data):
    """A hello context: plain fields plus a block signed as the host site's backend would."""
    text = json.dumps(data, separators=(",", ":"))
    exp = int(time.time()) + 600
    sig = hmac.new(SECRET.encode(), f"{exp}.{text}".encode(), hashlib.sha256).hexdigest()
    return dict(plain, signed={"data": text, "exp": exp, "sig": sig})


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def ok(sentence):
    print(f"ok - {sentence}", flush=True)


# ---- HTTP ----

def http(port, method, path, body=None, cookie=None, origin=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if cookie:
        headers["Cookie"] = cookie
    if origin:
        headers["Origin"] = origin
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=T) as r:
            raw = r.read()
            return r.status, {k.lower(): v for k, v in r.headers.items()}, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, {k.lower(): v for k, v in e.headers.items()}, json.loads(raw) if raw else None


def login(port, user, password=None):
    status, headers, body = http(port, "POST", "/api/agent/login",
                                 {"username": user, "password": password or PASSWORDS[user]})
    check(status == 200, f"login {user}: {status} {body}")
    sc = headers.get("set-cookie", "")
    check(sc.startswith("faq_agent=") and "HttpOnly" in sc and "SameSite=Strict" in sc and "Path=/" in sc,
          f"login {user}: cookie {sc!r}")
    check(body["agent"]["username"] == user and "password" not in json.dumps(body), f"login {user}: {body}")
    return sc.split(";")[0]


# ---- WebSocket peers that record every frame ----

class Peer:
    def __init__(self, name):
        self.name = name
        self.ws = None
        self.frames = []
        self.seen = 0
        self.task = None

    async def open(self, port, protocol, cookie=None, origin=None):
        headers = {"Cookie": cookie} if cookie else None
        self.ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws", subprotocols=[protocol],
                                           extra_headers=headers, origin=origin, open_timeout=T,
                                           close_timeout=T, max_size=2 ** 22)
        self.task = asyncio.ensure_future(self._read())
        return self

    async def _read(self):
        try:
            async for raw in self.ws:
                self.frames.append(json.loads(raw))
        except websockets.exceptions.ConnectionClosed:
            pass

    async def send(self, **env):
        env["v"] = 1
        await self.ws.send(json.dumps(env))

    async def wait(self, type_, pred=None, timeout=T, what=None):
        """The first frame not yet consumed of this type (and matching pred); consumes up to it."""
        deadline = time.monotonic() + timeout
        while True:
            for i in range(self.seen, len(self.frames)):
                f = self.frames[i]
                if f.get("type") == type_ and (pred is None or pred(f)):
                    self.seen = i + 1
                    return f
            if time.monotonic() > deadline:
                tail = [f.get("type") for f in self.frames[self.seen:]][-12:]
                raise Fail(f"{self.name}: no {what or type_} within {timeout} s (unread: {tail})")
            await asyncio.sleep(0.02)

    async def wait_any(self, types, timeout=T):
        """The first frame not yet consumed of any of these types."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i in range(self.seen, len(self.frames)):
                if self.frames[i].get("type") in types:
                    self.seen = i + 1
                    return self.frames[i]
            await asyncio.sleep(0.02)
        raise Fail(f"{self.name}: none of {types} within {timeout} s")

    async def quiet(self, types, seconds=QUIET):
        """Nothing of these types arrives for a while."""
        start = len(self.frames)
        await asyncio.sleep(seconds)
        got = [f for f in self.frames[start:] if f.get("type") in types]
        check(not got, f"{self.name}: unexpected {got[:2]}")

    async def close(self):
        if self.ws:
            await self.ws.close()
        if self.task:
            await asyncio.wait([self.task], timeout=T)


async def agent(port, user):
    cookie = login(port, user)
    a = await Peer(user).open(port, "faq-agent", cookie)
    h = await a.wait("hello")
    check(h["agent"]["username"] == user, f"{user}: hello {h}")
    await a.wait("queue")
    a.cookie = cookie
    return a


async def customer(port, name, token=None, scene=None, context=None):
    c = await Peer(name).open(port, "faq-chat")
    hello = {"lang": "en"}
    if token:
        hello["token"] = token
    if scene:
        hello["scene"] = scene
    if context:
        hello["context"] = context
    await c.send(type="hello", **hello)
    c.welcome = await c.wait("welcome")
    c.token = c.welcome["token"]
    return c


async def refused(port, protocol="faq-agent", cookie=None, origin=None):
    try:
        p = await Peer("x").open(port, protocol, cookie, origin)
    except (websockets.exceptions.InvalidHandshake, websockets.exceptions.InvalidMessage, OSError,
            asyncio.TimeoutError):
        return True
    await p.close()
    return False


async def queue_with(a, conv, timeout=T):
    return await a.wait("queue", lambda q: any(w["conv"] == conv for w in q["waiting"]), timeout,
                        f"queue snapshot listing {conv[:8]}")


async def ask_person(c):
    await c.send(type="handoff")
    return await c.wait("handoff_status", lambda s: s["state"] in ("queued", "ticket"))


# ---- the automatic triggers (each customer goes back to the bot afterwards) ----

async def waiting_entry(a, pred, what):
    q = await a.wait("queue", lambda q: any(pred(w) for w in q["waiting"]), what=what)
    return next(w for w in q["waiting"] if pred(w))


async def back_to_bot(c):
    await c.send(type="cancel_handoff")
    await c.wait("handoff_status", lambda s: s["state"] == "bot")
    await c.close()


async def triggers(port, bob):
    # Two fallbacks in a row.
    c = await customer(port, "fallbacks")
    for i in (1, 2):
        await c.send(type="message", id=f"c-{i}", text="blorp zzzq")
        await c.wait("fallback")
    st = await c.wait("handoff_status", lambda s: s["state"] == "queued")
    w = await waiting_entry(bob, lambda w: w["reason"] == "fallbacks", "a chat handed over after fallbacks")
    await back_to_bot(c)
    ok("two fallbacks in a row hand the customer to a person (reason fallbacks)")

    # 👎 on two answers.
    c = await customer(port, "dislikes")
    for i, q in enumerate(("how long does delivery take", "what is your return policy")):
        await c.send(type="message", id=f"c-{i}", text=q)
        a = await c.wait("answer")
        await c.send(type="feedback", reply_to=a["id"], value="down")
    st = await c.wait("handoff_status", lambda s: s["state"] == "queued")
    w = await waiting_entry(bob, lambda w: w["reason"] == "dislikes", "a chat handed over after two 👎")
    await back_to_bot(c)
    ok("👎 on two answers hands the customer to a person (reason dislikes)")

    # Anger and complaint words; an upset customer gets a little priority.
    c = await customer(port, "upset")
    await c.send(type="message", id="c-1", text="This is unacceptable, I am furious!!")
    await c.wait_any(("answer", "clarify", "fallback"))
    st = await c.wait("handoff_status", lambda s: s["state"] == "queued")
    w = await waiting_entry(bob, lambda w: w["reason"] == "sentiment", "a chat handed over for anger")
    check(w["priority"] == 2, f"an upset customer's priority: {w}")
    await back_to_bot(c)
    ok("angry words hand the customer to a person (reason sentiment, priority +2)")

    # A verified VIP is not handed over for being a VIP, but jumps the queue when they ask.
    vip = await customer(port, "vip", context=signed({}, {"customer": {"id": "c-1001", "tier": "vip",
                                                                      "name": "Vera Ng"}}))
    await vip.send(type="message", id="c-1", text="do you ship internationally")
    a = await vip.wait("answer")
    check(a.get("entry") == "international-shipping", f"a VIP's question: {a}")
    await vip.quiet(("handoff_status",), 0.6)
    fake = await customer(port, "fake-vip", context={"customer": {"id": "c-1002", "tier": "vip", "name": "Fake"}})
    st = await ask_person(fake)
    check(st["state"] == "queued" and st["position"] == 4, f"an unsigned VIP claim: {st}")
    st = await ask_person(vip)
    check(st["state"] == "queued" and st["position"] == 1, f"a verified VIP: {st}")
    q = await bob.wait("queue", lambda q: {"Vera Ng", "Fake"} <= {w["customer_name"] for w in q["waiting"]},
                       what="the VIP's and the unsigned claim's chats")
    w = next(w for w in q["waiting"] if w["customer_name"] == "Vera Ng")
    check(w["vip"] is True and w["priority"] == 10 and w["position"] == 1, f"the VIP in the queue: {w}")
    w = next(w for w in q["waiting"] if w["customer_name"] == "Fake")
    check(w["vip"] is False and w["priority"] == 0, f"an unsigned VIP claim in the queue: {w}")
    await back_to_bot(vip)
    await back_to_bot(fake)
    ok("a verified VIP is answered by the bot, and queued first when they ask; an unsigned VIP claim gets nothing")

    # A scene whose policy is "always a person" (a verified VIP on the refund form).
    c = await customer(port, "always", scene="refund_form", context=signed({}, {"customer": {"tier": "vip"}}))
    await c.send(type="message", id="c-1", text="how long does a refund take")
    a = await c.wait("answer")
    check(a.get("kind") == "handoff", f"always a person: {a}")
    st = await c.wait("handoff_status", lambda s: s["state"] == "queued")
    check(st["team"] == "returns", f"always a person: {st}")
    w = await waiting_entry(bob, lambda w: w["reason"] == "policy", "a chat handed over by policy")
    check(w["team"] == "returns" and w["priority"] >= 2, f"policy chat: {w}")
    await back_to_bot(c)
    ok("an \"always a person\" scene hands over at once to its team (reason policy)")


# ---- phase 1 ----

async def unasked_without_agents(port):
    """No agent online: fallbacks offer a person but never turn the chat into a ticket unasked."""
    c = await customer(port, "alone")
    for i in (1, 2):
        await c.send(type="message", id=f"c-{i}", text="blorp zzzq")
        await c.wait("fallback")
    await c.send(type="message", id="c-3", text="which payment methods do you accept")
    await c.wait("answer")
    states = [f.get("state") for f in c.frames if f.get("type") == "handoff_status"]
    check(all(st == "bot" for st in states), f"unasked hand-off without agents: {states}")
    await c.close()
    ok("with no agent online, two fallbacks keep the bot answering: no ticket the customer did not ask for")


async def phase1(port, state_file):
    await unasked_without_agents(port)
    check(await refused(port), "faq-agent accepted a connection without a cookie")
    check(await refused(port, cookie="faq_agent=" + "ab" * 32), "faq-agent accepted a forged cookie")
    ok("the agent protocol refuses connections without a valid sign-in cookie")

    status, _, body = http(port, "POST", "/api/agent/login", {"username": "alice", "password": "wrong password"})
    check(status == 401 and body == {"error": "bad_credentials"}, f"wrong password: {status} {body}")
    status, _, body = http(port, "POST", "/api/agent/login", {"username": "nobody", "password": "whatever1"})
    check(status == 401 and body == {"error": "bad_credentials"}, f"unknown user: {status} {body}")
    status, _, _ = http(port, "GET", "/api/agent/me")
    check(status == 401, f"/api/agent/me without a cookie: {status}")
    alice_cookie = login(port, "alice")
    status, _, body = http(port, "GET", "/api/agent/me", cookie=alice_cookie)
    check(status == 200 and body["agent"]["name"] == "Alice Chen", f"/api/agent/me: {status} {body}")
    ok("agents sign in over HTTP and get an HttpOnly SameSite=Strict cookie; wrong passwords get 401")

    alice = await agent(port, "alice")
    bob = await agent(port, "bob")
    check(await refused(port, cookie=alice_cookie, origin="https://evil.example"), "a foreign Origin was accepted")
    ok("agents connect over faq-agent with the cookie (hello, then a queue snapshot); a foreign Origin is refused")

    # A customer asks the bot, then for a person.
    c1 = await customer(port, "c1")
    await c1.send(type="message", id="c-1", text="how long does delivery take")
    a = await c1.wait("answer")
    check(a.get("entry") == "shipping-time", f"the bot's answer: {a}")
    st = await ask_person(c1)
    check(st["state"] == "queued" and st["position"] == 1, f"c1 status {st}")
    check(isinstance(st["wait"]["minutes"], int) and st["wait"]["confident"] is False and st["wait"]["minutes"] >= 10,
          f"c1 wait {st['wait']} (no claim history: not confident)")
    q = await alice.wait("queue", lambda q: q["waiting"], what="a waiting chat")
    conv1 = q["waiting"][0]["conv"]
    check(q["waiting"][0]["reason"] == "asked" and q["waiting"][0]["position"] == 1, f"queue {q}")
    await bob.wait("queue", lambda q: any(w["conv"] == conv1 for w in q["waiting"]))
    ok("a customer who taps Talk to a person is queued at position 1 with an honest wait; agents see the chat")

    # A second customer asks in words.
    c2 = await customer(port, "c2")
    await c2.send(type="message", id="c-1", text="I want to talk to a human")
    st2 = await c2.wait("handoff_status", lambda s: s["state"] == "queued")
    check(st2["position"] == 2, f"c2 status {st2}")
    q = await alice.wait("queue", lambda q: len(q["waiting"]) == 2)
    conv2 = q["waiting"][1]["conv"]
    check(q["waiting"][0]["conv"] == conv1 and q["total"] == 2, f"queue order {q}")
    ok("asking for a human in words queues the second customer at position 2, behind the first")

    # Both agents claim the first chat at once: exactly one wins.
    await asyncio.gather(alice.send(type="claim", conv=conv1), bob.send(type="claim", conv=conv1))
    results = {}
    for ag in (alice, bob):
        deadline = time.monotonic() + T
        while ag.name not in results and time.monotonic() < deadline:
            for f in ag.frames[ag.seen:]:
                if f["type"] in ("claimed", "claim_failed") and f.get("conv") == conv1:
                    results[ag.name] = f
            await asyncio.sleep(0.02)
    types = sorted(f["type"] for f in results.values())
    check(types == ["claim_failed", "claimed"], f"claim race: {results}")
    winner = alice if results["alice"]["type"] == "claimed" else bob
    loser = bob if winner is alice else alice
    check(results[loser.name]["code"] == "busy", f"the loser got {results[loser.name]}")
    await winner.wait("claimed")
    cf = await winner.wait("case_file", lambda f: f["conv"] == conv1)
    case = cf["case"]
    texts = [m["text"] for m in case["transcript"]] + [m["text"] for m in cf["transcript"]]
    check("how long does delivery take" in texts, f"case file transcript {texts}")
    check(any(x["entry"] == "shipping-time" for x in case["answers"]), f"case file answers {case['answers']}")
    check(case["reason"] == "asked" and case["summary"]["text"], f"case file {case['reason']} {case['summary']}")
    st = await c1.wait("handoff_status", lambda s: s["state"] == "assigned")
    check(st["agent_name"] == ("Alice Chen" if winner is alice else "Bob Li"), f"c1 assigned: {st}")
    st2 = await c2.wait("handoff_status", lambda s: s["state"] == "queued" and s["position"] == 1)
    ok(f"two agents claim one chat at once: exactly one wins ({winner.name}), the other gets busy")
    ok("the winner gets the case file with the bot's answers and the transcript; the customer sees the agent's name "
       "and the next customer moves up to position 1")

    # Messages both ways, typing, a silent bot.
    await winner.send(type="agent_typing", conv=conv1, on=True)
    t = await c1.wait("typing")
    check(t["from"] == "agent" and t["on"] is True, f"typing {t}")
    ok("the agent's typing reaches the customer")
    await winner.send(type="agent_msg", conv=conv1, id="a-1", text="Hi, I'm looking at your order now.")
    m = await c1.wait("agent_msg")
    check(m["text"] == "Hi, I'm looking at your order now." and m["agent_name"], f"agent_msg to customer {m}")
    echo = await winner.wait("agent_msg")
    check(echo["id"] == "a-1" and echo["conv"] == conv1, f"agent echo {echo}")
    await c1.send(type="message", id="c-2", text="what is your return policy")
    cm = await winner.wait("customer_msg")
    check(cm["conv"] == conv1 and cm["text"] == "what is your return policy", f"customer_msg {cm}")
    sug = await winner.wait("kb_suggestions", lambda f: f.get("conv") == conv1 and f.get("for") == "c-2")
    check(sug["items"] and sug["items"][0]["entry"] == "return-policy", f"suggestions {sug}")
    await c1.quiet(("answer", "clarify", "fallback"))
    ok("messages go both ways; the agent gets KB suggestions; the bot stays silent while a person owns the chat")

    await loser.send(type="agent_msg", conv=conv1, id="x-1", text="hijack")
    e = await loser.wait("error")
    check(e["code"] == "not_yours", f"writing in someone else's chat: {e}")
    ok("an agent cannot write in a chat another agent holds (not_yours)")

    # Transfer to billing; bob (every team) takes it; close with a resolution.
    await winner.send(type="transfer", conv=conv1, team="billing")
    r = await winner.wait("released", lambda f: f["conv"] == conv1)
    check(r["why"] == "transferred", f"released {r}")
    st = await c1.wait("handoff_status", lambda s: s["state"] == "queued")
    q = await bob.wait("queue", lambda q: any(w["conv"] == conv1 and w["team"] == "billing" for w in q["waiting"]))
    await bob.send(type="claim", conv=conv1)
    await bob.wait("claimed", lambda f: f["conv"] == conv1)
    st = await c1.wait("handoff_status", lambda s: s["state"] == "assigned")
    check(st["agent_name"] == "Bob Li", f"after transfer {st}")
    ok("a transfer puts the chat back in the queue for the other team; an agent of that team takes it")
    await bob.send(type="close", conv=conv1, resolution="solved")
    r = await bob.wait("released", lambda f: f["conv"] == conv1)
    check(r["why"] == "closed", f"released {r}")
    st = await c1.wait("handoff_status", lambda s: s["state"] == "resolved")
    await c1.send(type="message", id="c-3", text="do you ship internationally")
    a = await c1.wait("answer", lambda f: f.get("reply_to") == "c-3")
    check(a.get("entry") == "international-shipping", f"after close {a}")
    ok("closing with a resolution code resolves the chat; the customer's next message is the bot's again")

    # Authorization: a customer can only reach their own conversation.
    spy = await customer(port, "spy", token=conv2)
    check(spy.welcome["resumed"] is False and spy.welcome["transcript"] == [] and spy.token != conv2,
          f"hello with a conversation id: {spy.welcome}")
    spy2 = await customer(port, "spy2", token="f" * 32)
    check(spy2.welcome["resumed"] is False and spy2.welcome["transcript"] == [], f"a guessed token: {spy2.welcome}")
    check(await refused(port, cookie="faq_agent=" + c1.token), "a customer token opened the agent protocol")
    await spy.close()
    await spy2.close()
    ok("a customer token can never read another conversation, nor open the agent protocol")

    # Two more customers queue; then the server is killed (phase 2 checks the restart).
    c3 = await customer(port, "c3")
    await c3.send(type="message", id="c-1", text="my parcel never arrived")
    await c3.wait_any(("answer", "clarify", "fallback"))
    st3 = await ask_person(c3)
    check(st3["state"] == "queued" and st3["position"] == 2, f"c3 {st3}")
    await c3.send(type="message", id="c-2", text="it was a birthday present")
    c4 = await customer(port, "c4")
    st4 = await ask_person(c4)
    check(st4["state"] == "queued" and st4["position"] == 3, f"c4 {st4}")
    q = await alice.wait("queue", lambda q: len(q["waiting"]) == 3)
    order = [w["conv"] for w in q["waiting"]]
    check(order[0] == conv2, f"queue order {order}")
    ok("customers keep their places: 1, 2, 3")

    await triggers(port, bob)

    # The sign-in rate limit (per username and address): 5 failures a minute, then 429.
    codes = []
    for _ in range(6):
        status, _, body = http(port, "POST", "/api/agent/login", {"username": "ghost", "password": "guess-guess"})
        codes.append(status)
    check(codes == [401] * 5 + [429] and body["error"] == "rate_limited" and body["retry_after_ms"] > 0,
          f"rate limit: {codes} {body}")
    ok("after 5 failed sign-ins a minute the API answers 429 with retry_after_ms")

    status, _, st = http(port, "GET", "/api/stats")
    h = st.get("handoff", {}) if status == 200 else {}
    since = h.get("since_start", {})
    check(h.get("waiting") == 3 and h.get("agent_consoles") == 2 and h.get("sentiment") is True, f"/api/stats: {h}")
    check(since.get("claimed", 0) >= 2 and since.get("resolved") == 1 and since.get("transferred") == 1 and
          since.get("cancelled", 0) >= 5, f"/api/stats since_start: {since}")
    ok("/api/stats shows who waits, the consoles online and the transitions since the start")

    # The agent's sign-out closes its console with 4401.
    status, headers, _ = http(port, "POST", "/api/agent/logout", cookie=alice.cookie)
    check(status == 204 and "Max-Age=0" in headers.get("set-cookie", ""), f"logout {status} {headers}")
    deadline = time.monotonic() + T
    while alice.ws.close_code is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    check(alice.ws.close_code == 4401, f"console after sign-out closed with {alice.ws.close_code}")
    ok("signing out ends the session and closes the agent's console with 4401")

    json.dump({"order": order, "tokens": [c2.token, c3.token, c4.token],
               "c3_texts": ["my parcel never arrived", "it was a birthday present"]}, open(state_file, "w"))
    for p in (c1, c2, c3, c4, bob, loser):
        await p.close()


# ---- phase 2: after kill -9 and a restart ----

async def phase2(port, state_file):
    s = json.load(open(state_file))
    order, tokens = s["order"], s["tokens"]
    customers = []
    for i, tok in enumerate(tokens):
        c = await customer(port, f"c{i + 2}", token=tok)
        check(c.welcome["resumed"] is True and c.token == tok, f"resume after restart: {c.welcome}")
        st = await c.wait("handoff_status")
        check(st["state"] == "queued" and st["position"] == i + 1, f"after restart c{i + 2}: {st}")
        customers.append(c)
    texts = [e.get("text") for e in customers[1].welcome["transcript"]]
    check(all(t in texts for t in s["c3_texts"]), f"c3's transcript after restart: {texts}")
    ok("after kill -9 and a restart the queued customers resume, still queued at positions 1, 2, 3")

    bob = await agent(port, "bob")
    q = bob.frames[1]
    check([w["conv"] for w in q["waiting"]] == order, f"queue after restart {q['waiting']}")
    ok("after the restart the agent's queue lists the chats in their original order")

    await bob.send(type="claim", conv=order[1])
    cf = await bob.wait("case_file", lambda f: f["conv"] == order[1])
    texts = [m["text"] for m in cf["case"]["transcript"]] + [m["text"] for m in cf["transcript"]]
    check(all(t in texts for t in s["c3_texts"]), f"transcript after restart {texts}")
    ok("the transcript an agent receives after the restart is complete")

    c3 = customers[1]
    await c3.wait("handoff_status", lambda st: st["state"] == "assigned")
    await c3.send(type="message", id="c-9", text="how much is shipping")
    cm = await bob.wait("customer_msg")
    check(cm["text"] == "how much is shipping", f"{cm}")
    await c3.quiet(("answer", "clarify", "fallback"))
    ok("after the restart the bot stays silent while the agent holds the chat")

    await customers[2].send(type="handoff", leave_message=True)
    st = await customers[2].wait("handoff_status", lambda st: st["state"] == "ticket")
    check(st["ticket"].startswith("T-") and len(st["ticket"]) == 8, f"leave a message: {st}")
    ok("a queued customer who leaves a message instead gets a ticket reference")
    for p in customers + [bob]:
        await p.close()


def main():
    port, state_file, phase = sys.argv[1], sys.argv[2], sys.argv[3]
    try:
        asyncio.run(asyncio.wait_for((phase1 if phase == "phase1" else phase2)(port, state_file), 120))
    except Fail as e:
        print(f"not ok - {e}", flush=True)
        sys.exit(1)
    except Exception as e:  # a crash of the client or the server is a failure with its reason
        print(f"not ok - {type(e).__name__}: {e}", flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
