import Hummingbird

/// The web console's static files (Docs/console.md): HTML, CSS and JavaScript kept as strings in
/// the binary, so warren serves them with no build step, no CDN and no files to install beside it.
/// Every answer carries a Content-Security-Policy that allows only warren's own scripts and styles.
enum ConsoleAssets {
    /// Path, content type and text of each file.
    static let files: [(path: String, type: String, text: String)] = [
        ("/", "text/html; charset=utf-8", ConsolePage.html),
        ("/console.css", "text/css; charset=utf-8", ConsoleStyle.css),
        ("/console.js", "text/javascript; charset=utf-8", ConsoleScript.js),
        ("/logs.js", "text/javascript; charset=utf-8", LogsScript.js),
        ("/overview.js", "text/javascript; charset=utf-8", OverviewScript.js),
        ("/tables.js", "text/javascript; charset=utf-8", TablesScript.js),
        ("/objects.js", "text/javascript; charset=utf-8", ObjectsScript.js),
        ("/forms.js", "text/javascript; charset=utf-8", FormsScript.js),
        ("/compare.js", "text/javascript; charset=utf-8", CompareScript.js),
    ]

    /// Scripts, styles and requests from warren only; no inline script, no framing, no form posts.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// Serves the files without authentication: they hold no data, the API calls they make sign in.
    static func register<Context: RequestContext>(on router: Router<Context>) {
        for file in files {
            router.get(RouterPath(stringLiteral: file.path)) { _, _ in response(type: file.type, text: file.text) }
        }
    }

    static func response(type: String, text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.cacheControl] = "no-cache"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
