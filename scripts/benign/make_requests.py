#!/usr/bin/env python3
"""Writes requests.json: ordinary traffic of a small web app (a shop with a forum and a JSON
API), in the shape of the shared attack corpus (id, method, uri, headers, data).

Every request here must pass Rules/default.yaml (scripts/detection.py checks it). The set is
written to be awkward for a firewall: search words that are SQL or shell keywords, quotes and
apostrophes, `<3` and `a < b`, dotted paths, long cookies, JWTs, JSON with `$` prices, forum
posts with harmless markup. Run: python3 scripts/benign/make_requests.py
"""

import base64
import json
import os
from urllib.parse import quote, quote_plus, urlencode

BROWSER = {
    "Host": "shop.example.test",
    "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0.0.0 Safari/537.36",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "Accept-Language": "en-GB,en;q=0.9,de;q=0.7",
    "Accept-Encoding": "gzip, deflate, br",
}
FIREFOX = dict(BROWSER, **{"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"})
SAFARI = dict(BROWSER, **{"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                                        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"})


def b64url(obj):
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()


JWT = ".".join([b64url({"alg": "HS256", "typ": "JWT"}),
                b64url({"sub": "1234567890", "name": "Siobhan O'Brien", "iat": 1716239022, "roles": ["user"]}),
                "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"])
LONG_COOKIE = ("session=" + "a3f9" * 24 + "; csrftoken=" + "Zx9" * 20 + "; theme=dark; lang=en-GB; "
               "_ga=GA1.2.1234567890.1716239022; _gid=GA1.2.987654321.1716239022; consent=%7B%22ads%22%3Afalse%2C"
               "%22stats%22%3Atrue%7D; recently_viewed=1021%2C1022%2C1044%2C2001; cart_id=c_8f14e45fceea167a5a36dedd4bea2543")

requests = []


def add(method, uri, headers=None, data=None, base=BROWSER):
    h = dict(base)
    h.update(headers or {})
    requests.append({"id": f"benign-{len(requests) + 1:03d}", "method": method, "uri": uri, "headers": h,
                     "data": data})


def form(**kw):
    return urlencode(kw)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSONH = {"Content-Type": "application/json", "Accept": "application/json", "Authorization": "Bearer " + JWT}

# --- pages and static files (paths with dots) -------------------------------------------------
for path in ["/", "/index.html", "/about", "/contact", "/static/app.1.4.2.min.js", "/static/css/site.v3.css",
             "/static/fonts/inter-var.latin.woff2", "/img/products/lamp.large.2x.webp", "/favicon.ico",
             "/robots.txt", "/sitemap.xml", "/.well-known/security.txt", "/.well-known/openid-configuration",
             "/docs/v1.2/getting-started.html", "/downloads/manual.en.pdf", "/files/report.2024.final.v2.xlsx",
             "/blog/2024/05/what-is-new-in-v2.0", "/blog/etc-and-other-abbreviations", "/u/jane.doe",
             "/release-notes/3.0.0-rc.1"]:
    add("GET", path)

# --- search with quotes, SQL, shell and HTML-ish words ----------------------------------------
for q in ["O'Brien", "O'Brien and O'Neil", "select a plan", "union station", "union station - select your train",
          "1 + 1 = 2", "i <3 you", "a < b and c > d", "\"red shoes\" and \"blue hats\"", "rock or roll",
          "drop-down menu", "table of contents", "delete my account", "update my address", "insert coin",
          "create table of contents", "how to delete from my cart", "order by price", "group by color",
          "where is my order?", "sleep (8 hours) tips", "benchmark results 2024", "benchmark", "waiting for delay",
          "cat videos", "tom & jerry; cat videos", "cats; dogs; birds", "echo dot review", "bash scripting book",
          "R&D php jobs", "python vs ruby", "ls 20 battery", "find my order", "what if not now", "for sale in town",
          "if you can", "java island coffee", "learn java. it is fun", "javascript book scripts",
          "learning javascript: the good parts", "script writing course", "alert (red) fire", "fire alert (red)",
          "please confirm (yes or no)", "documents and windows", "new function room", "child process psychology",
          "prototype construction", "runtime errors", "process builder jobs", "transformers movie",
          "100% cotton", "50%off", "$100 gift card", "price $100 {approx}", "{red, green}", "#hashtag", "\"#hashtag\"",
          "it's #1", "don't stop; delete nothing", "C# and F# books", "wait... what?", "eval results",
          "the system is down (again)", "copy (the book)", "file contents", "base 64 decoding explained",
          "information about schemas", "table names for weddings", "my password does not work", "etc.",
          "user(s) guide", "count (me) in", "select all", "select 2 items", "online=yes", "turn on lights",
          "café crème brûlée", "Größe 42 Schuhe", "東京 ホテル", "emoji 😀 mug", "semi;colon", "pipe | symbol",
          "back\\slash", "double--dash", "a/b testing"]:
    add("GET", "/search?" + urlencode({"q": q, "page": 1}))

for i, sort in enumerate(["price_asc", "price_desc", "newest", "rating"]):
    add("GET", f"/products?category=lamps&sort={sort}&page={i + 1}&per_page=24&min_price=10&max_price=250")
add("GET", "/products?filter%5Bcolor%5D=red&filter%5Bsize%5D=m&filter%5Bstock%5D=1")
add("GET", "/products?tags=desk,lamp,led&tags=office&in_stock")
add("GET", "/products?ids%5B%5D=1&ids%5B%5D=2&ids%5B%5D=3")
add("GET", "/go?to=" + quote("https://example.org/docs?a=1&b=2", safe=""))
add("GET", "/share?" + urlencode({"url": "https://shop.example.test/p/1021", "title": "Desk lamp — 20% off!"}))
add("GET", "/login?next=%2Faccount%2Forders%3Fpage%3D2")
add("GET", "/shop?session=summer&utm_source=newsletter&utm_medium=email&utm_campaign=2024-05")
add("GET", "/callback?code=4%2F0AY0e-g7X&state=" + b64url({"nonce": "n-0S6_WzA2Mj"}) + "&scope=openid%20email")
add("GET", "/t?time=10:30:00&date=2024-05-20&tz=Europe%2FLondon")
add("GET", "/download?file=report.final.v2.pdf")
add("GET", "/img?src=products%2Flamp-01.jpg&w=640&h=480&fit=crop")
add("GET", "/calendar?from=2024-01-01T00:00:00Z&to=2024-12-31T23:59:59Z")
add("GET", "/search?q=" + quote_plus("x" * 300))
add("HEAD", "/static/app.1.4.2.min.js")
add("OPTIONS", "/api/v1/products", {"Origin": "https://shop.example.test", "Access-Control-Request-Method": "PUT",
                                    "Access-Control-Request-Headers": "content-type,authorization"})

# --- long cookies, JWTs and browser headers --------------------------------------------------
add("GET", "/account", {"Cookie": LONG_COOKIE, "Referer": "https://shop.example.test/login?next=%2Faccount"})
add("GET", "/account/orders?page=2", {"Cookie": LONG_COOKIE, "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate",
                                       "Sec-Fetch-Dest": "document", "Upgrade-Insecure-Requests": "1",
                                       "sec-ch-ua": '"Chromium";v="126", "Google Chrome";v="126", "Not-A.Brand";v="99"',
                                       "sec-ch-ua-platform": '"Windows"'}, base=BROWSER)
add("GET", "/api/v1/me", {"Authorization": "Bearer " + JWT, "Accept": "application/json"}, base=FIREFOX)
add("GET", "/api/v1/me", {"Cookie": "jwt=" + JWT + "; remember_me=1"}, base=SAFARI)
add("GET", "/", {"If-None-Match": 'W/"5e15153d-120f"', "If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"})
add("GET", "/search?q=lamp", {"Referer": "https://www.google.com/search?q=desk+lamp+%22warm+white%22&hl=en"})
add("GET", "/", {"X-Forwarded-For": "203.0.113.7, 10.0.0.2", "X-Request-Id": "0f8fad5b-d9cb-469f-a165-70867728950e"})
add("GET", "/healthz", {"User-Agent": "kube-probe/1.29"})
add("GET", "/api/v1/products?page=1", {"User-Agent": "curl/8.5.0", "Accept": "*/*"})
add("GET", "/api/v1/products?page=2", {"User-Agent": "python-requests/2.31.0"})
add("GET", "/feed.xml", {"User-Agent": "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 3 subscribers)"})
add("GET", "/", {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"})
add("GET", "/", {"Cookie": "prefs=%7B%22currency%22%3A%22EUR%22%2C%22items%22%3A%5B1%2C2%5D%7D; name=Siobhan%20O%27Brien"})
add("GET", "/", {"Cookie": "flash=Your+order+%231021+was+placed.+Thanks%21"})

# --- logins and forms ---------------------------------------------------------------------------
add("POST", "/login", FORM, form(username="jane.doe@example.test", password="C0rrect-Horse'Battery\"Staple;1=1",
                                  remember="on", csrf="Zx9" * 10))
add("POST", "/login", FORM, form(username="o'brien", password="p@ss w0rd -- #1 /* x */"))
add("POST", "/register", FORM, form(name="Siobhan O'Brien", email="siobhan+shop@example.test", password="hunter2hunter2",
                                     country="IE", agree="yes"))
add("POST", "/password/reset", FORM, form(email="bob@example.test"))
add("POST", "/logout", dict(FORM, Cookie=LONG_COOKIE), "csrf=" + "Zx9" * 10)
add("POST", "/contact", FORM, form(name="Dr. A. Smith", subject="Order #1021 -- wrong size?",
                                   message="Hi, I ordered size M (not L) & the box said 'select a plan'. "
                                           "Can you exchange it? 1 + 1 = 2, right? Thanks :) <3"))
add("POST", "/newsletter", FORM, form(email="x@example.test", lists="deals,news"))
add("POST", "/checkout/address", FORM, form(line1="12 Union Station Rd.", line2="Apt. 4/B", city="St. John's",
                                            postcode="A1C 5M2", phone="+1 (709) 555-0143"))
add("POST", "/checkout/coupon", FORM, form(code="SUMMER-2024", note="if not valid, ignore"))
add("POST", "/search", FORM, form(q="select union jobs", scope="titles"))

# --- forum posts with harmless markup -----------------------------------------------------------
posts = [
    "I <3 this lamp! Works great with a 5 W bulb. 10/10 would buy again.",
    "Is <b>bold</b> and <i>italic</i> supported in reviews? What about <a href=\"https://example.org\">links</a>?",
    "Tip: if the app says \"select a plan\", pick the yearly one -- it's cheaper (12 * 4 < 60).",
    "Re: shipping -> took 3 days. a < b, b > c... anyway, happy :)",
    "My script for the school play is done; now the cat & dog costumes!",
    "Quote from the manual: 'Do not drop the table lamp; it's glass.'",
    "Where's the O'Reilly book about SQL? I want to learn SELECT and JOIN.",
    "Path in the manual: Settings > Display > Brightness (v2.1.0).",
    "Windows users: press Win + R and type the app name. Mac: Cmd + Space.",
    "Email me at jane.doe@example.test if you have the user(s) guide.",
    "I paid $25.00 (incl. 20% VAT) -- fair price? #deal",
    "The union station branch has it; select the 'pickup' option at checkout.",
    "Lists work: - one\n- two\n- three\n\nAnd a new paragraph.",
    "Rating: ***** (5/5). Would I buy again? If not on sale, maybe.",
    "Code of the colour: #ff8800; width: 100%; looks nice.",
]
for i, text in enumerate(posts):
    add("POST", f"/forum/threads/{100 + i}/replies", dict(FORM, Cookie=LONG_COOKIE),
        form(body=text, title=f"Re: thread {100 + i}", csrf="Zx9" * 10))
add("POST", "/forum/threads", JSONH, json.dumps({"title": "What's new in v2.0?", "body": posts[1], "tags": ["news", "html"]}))
add("POST", "/forum/preview", JSONH, json.dumps({"markdown": "**bold** _it_ `code` [link](https://example.org/a.b/c)"}))

# --- JSON API: GET/POST/PUT/PATCH/DELETE ----------------------------------------------------------
add("GET", "/api/v1/products?fields=id,name,price&limit=20&offset=40", JSONH)
add("GET", "/api/v1/products/1021", JSONH)
add("GET", "/api/v1/orders?status=open&sort=-created_at&cursor=eyJpZCI6MTAyMX0", JSONH)
add("POST", "/api/v1/cart/items", JSONH, json.dumps({"product_id": 1021, "quantity": 2, "note": "gift -- wrap it"}))
add("POST", "/api/v1/cart/items", JSONH, json.dumps({"item": "lamp", "price": "$25.00", "note": "[$] sign"}))
add("PUT", "/api/v1/cart/items/7", JSONH, json.dumps({"quantity": 3}))
add("PATCH", "/api/v1/me", JSONH, json.dumps({"display_name": "Siobhan O'Brien", "bio": "I <3 lamps & 'retro' design.",
                                              "links": ["https://example.org/~siobhan"]}))
add("PATCH", "/api/v1/me/preferences", JSONH, json.dumps({"theme": "dark", "currency": "EUR", "newsletter": False,
                                                          "filters": {"min": 10, "max": 250, "colors": ["red", "blue"]}}))
add("DELETE", "/api/v1/cart/items/7", JSONH)
add("DELETE", "/api/v1/me/sessions/2b1f", JSONH)
add("POST", "/api/v1/search", JSONH, json.dumps({"query": "select a plan OR union station", "page": 2, "per_page": 50}))
add("POST", "/api/v1/search", JSONH, json.dumps({"query": "O'Brien", "filters": {"where": "Dublin", "order": "name"}}))
add("POST", "/api/v1/reviews", JSONH, json.dumps({"product_id": 1021, "stars": 4,
                                                  "text": "Good lamp. Cons: the 'off' switch is stiff; 3/5 for that."}))
add("POST", "/api/v1/auth/login", {"Content-Type": "application/json", "Accept": "application/json"},
    json.dumps({"email": "jane.doe@example.test", "password": "x' or maybe not"}))
add("POST", "/api/v1/auth/refresh", JSONH, json.dumps({"refresh_token": JWT}))
add("POST", "/api/v1/events", JSONH, json.dumps({"events": [{"type": "page_view", "path": "/p/1021", "ts": 1716239022 + i}
                                                            for i in range(20)]}))
add("POST", "/api/v1/addresses", JSONH, json.dumps({"line1": "1 Main St.", "city": "Union", "state": "NJ",
                                                    "comment": "Ring twice; dog is friendly"}))
add("PUT", "/api/v1/addresses/3", JSONH, json.dumps({"line1": "Flat 2/3, 10 Queen's Rd", "city": "London"}))
add("POST", "/api/v1/graphql", JSONH, json.dumps({"query": "query Product($id: ID!) { product(id: $id) { id name price } }",
                                                  "variables": {"id": "1021"}}))
add("POST", "/api/v1/webhooks", JSONH, json.dumps({"url": "https://hooks.example.org/shop?token=abc", "events": ["order.created"]}))
add("POST", "/api/v1/notes", JSONH, json.dumps({"text": "Meeting at 10:30; bring the 'Q3' numbers (+5%)."}))
add("PATCH", "/api/v1/orders/1021", JSONH, json.dumps({"status": "cancelled", "reason": "ordered by mistake"}))
add("POST", "/api/v1/profile/avatar", JSONH, json.dumps({"image": "data:image/png;base64," + "iVBORw0KGgo" * 20}))
add("GET", "/api/v1/products?q=" + quote("lamp & shade"), JSONH)
add("POST", "/api/v1/translate", JSONH, json.dumps({"text": "Größe: 42 — café crème", "to": "en"}, ensure_ascii=False))

# --- uploads (multipart) -------------------------------------------------------------------------
BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW"


def multipart(parts):
    out = []
    for name, filename, ctype, content in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out.append(f"--{BOUNDARY}\r\nContent-Disposition: {disp}\r\n" + (f"Content-Type: {ctype}\r\n" if ctype else "")
                   + f"\r\n{content}\r\n")
    return "".join(out) + f"--{BOUNDARY}--\r\n"


MP = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
add("POST", "/upload", MP, multipart([("file", "photo.2024.05.jpg", "image/jpeg", "\u00ff\u00d8\u00ff\u00e0JFIF fake"),
                                      ("caption", None, None, "Me & my lamp <3")]))
add("POST", "/upload", MP, multipart([("file", "notes.txt", "text/plain", "select a plan\nunion station\n1 + 1 = 2\n"),
                                      ("folder", None, None, "docs/2024")]))
add("POST", "/upload", MP, multipart([("file", "data.csv", "text/csv", "id,name,price\n1,lamp,25.00\n2,\"shade, large\",9.99\n")]))
add("POST", "/upload", MP, multipart([("file", "report.final.v2.pdf", "application/pdf", "%PDF-1.7 fake")]))
add("POST", "/account/avatar", MP, multipart([("avatar", "me.png", "image/png", "\u0089PNG fake"), ("crop", None, None, "0,0,128,128")]))

# --- more pagination and plain browsing -----------------------------------------------------------
for page in range(1, 8):
    add("GET", f"/forum/threads?page={page}&sort=latest", {"Cookie": LONG_COOKIE})
for slug in ["desk-lamp-led", "lamp-shade-linen", "bulb-e27-5w", "o-brien-chair", "union-station-print"]:
    add("GET", f"/p/{slug}", base=SAFARI)
add("GET", "/forum/threads/104?reply=3")

if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "requests.json")
    with open(out, "w") as f:
        json.dump(requests, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(requests)} requests to {out}")
