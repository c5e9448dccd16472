//! The static file server behind `kequn serve`: loopback only, correct MIME
//! types (browsers refuse `.wasm` streaming compile without
//! `application/wasm`), the page's Content-Security-Policy and
//! cross-origin isolation as headers, and no path outside the served folder
//! (symlinks included).
//!
//! HTTP is hyper's; files are streamed by tower-http's `ServeFile` (HEAD,
//! ranges, `Last-Modified`). What is ours: which file a path names
//! ([`resolve`]), its type ([`content_type`]) and the headers every answer
//! carries. A fixed runtime bounds the work: two threads for the
//! connections, [`FILE_THREADS`] reading files, at most [`MAX_CONNECTIONS`]
//! open at once (a further client waits in the listen queue).

use std::convert::Infallible;
use std::io;
use std::net::TcpListener;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{combinators::UnsyncBoxBody, BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use mime_guess::mime::{self, Mime};
use percent_encoding::percent_decode_str;
use tower_http::services::ServeFile;

/// The page may talk to its own origin only.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; connect-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'none'";

/// Connections open at once; the next one is accepted when one closes.
pub const MAX_CONNECTIONS: usize = 64;

/// Threads reading files (tokio's blocking pool would grow to 512).
pub const FILE_THREADS: usize = 4;

type Body = UnsyncBoxBody<Bytes, io::Error>;

/// Binds 127.0.0.1:`port` (0 picks a free port) and returns the listener.
pub fn bind(port: u16) -> io::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port))
}

/// Serves `root` forever.
pub fn serve(listener: TcpListener, root: PathBuf) -> io::Result<()> {
    let root = Arc::new(root.canonicalize()?);
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(FILE_THREADS)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
        loop {
            let slot = slots
                .clone()
                .acquire_owned()
                .await
                .map_err(io::Error::other)?;
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                // A client that left before it was accepted, or no file
                // descriptor free for the moment: not a reason to stop.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let root = root.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| answer(req, root.clone()));
                // Closes a connection that sends no complete request head
                // for 30 s (hyper's default, once it has a timer).
                let _ = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
                drop(slot);
            });
        }
    })
}

async fn answer(req: Request<Incoming>, root: Arc<PathBuf>) -> Result<Response<Body>, Infallible> {
    let mut res = if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut res = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        res
    } else {
        match resolve(&root, req.uri().path()) {
            Some((file, mime)) => match ServeFile::new_with_mime(file, &mime).try_call(req).await {
                Ok(res) => res.map(BodyExt::boxed_unsync),
                Err(_) => plain(StatusCode::NOT_FOUND, "not found"),
            },
            None => plain(StatusCode::NOT_FOUND, "not found"),
        }
    };
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    // With COOP, makes the page cross-origin isolated; everything it loads
    // is its own origin's, so nothing needs a CORP header.
    h.insert(
        HeaderName::from_static("cross-origin-embedder-policy"),
        HeaderValue::from_static("require-corp"),
    );
    Ok(res)
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut res = Response::new(
        Full::new(Bytes::from_static(text.as_bytes()))
            .map_err(|n| match n {})
            .boxed_unsync(),
    );
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    res
}

/// The file that the request path `path` names under `root` (canonical),
/// with its type; `None` when there is none, or it is outside `root`: a
/// `..` (plain or percent-encoded) or a symlink leading out. A folder
/// names its `index.html`.
fn resolve(root: &Path, path: &str) -> Option<(PathBuf, Mime)> {
    let path = percent_decode_str(path).decode_utf8().ok()?;
    let mut asked = root.to_path_buf();
    for c in Path::new(path.trim_start_matches('/')).components() {
        match c {
            Component::Normal(p) => asked.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if asked.is_dir() {
        asked.push("index.html");
    }
    let real = asked.canonicalize().ok()?;
    (real.starts_with(root) && real.is_file()).then(|| (real, content_type(&asked)))
}

/// mime_guess's type for the extension, text in UTF-8; data files
/// (`.csv`, `.del`) as plain text, which the page reads as bytes anyway.
fn content_type(path: &Path) -> Mime {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let guess = match ext.to_ascii_lowercase().as_str() {
        "csv" | "del" => mime::TEXT_PLAIN,
        // mime_guess says application/javascript, the obsolete name.
        "mjs" => mime::TEXT_JAVASCRIPT,
        _ => mime_guess::from_ext(ext).first_or_octet_stream(),
    };
    if guess.type_() == mime::TEXT && guess.get_param(mime::CHARSET).is_none() {
        format!("{guess}; charset=utf-8").parse().unwrap_or(guess)
    } else {
        guess
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};

    /// A fresh folder under the system temp dir, `www/` (served) inside
    /// `base/` (not served) with `base/secret.txt` beside it.
    fn site(name: &str) -> (PathBuf, PathBuf) {
        let base = std::env::temp_dir().join(format!("kequn-serve-{name}-{}", std::process::id()));
        std::fs::remove_dir_all(&base).ok();
        let www = base.join("www");
        std::fs::create_dir_all(www.join("pkg")).unwrap();
        std::fs::create_dir_all(base.join("outside")).unwrap();
        std::fs::write(www.join("index.html"), "<p>hi</p>").unwrap();
        std::fs::write(www.join("pkg/a.wasm"), [0u8, 97, 115, 109]).unwrap();
        std::fs::write(www.join("pkg/index.html"), "<p>pkg</p>").unwrap();
        std::fs::write(www.join("t.del"), "1|2\n").unwrap();
        std::fs::write(www.join("客户.csv"), "a,b\n").unwrap();
        std::fs::write(base.join("secret.txt"), "SECRET").unwrap();
        std::fs::write(base.join("outside/index.html"), "SECRET").unwrap();
        (base, www)
    }

    /// Starts the server on a free loopback port. The socket listens once
    /// `bind` returns, so a connection made at once waits in its queue.
    fn start(www: &Path) -> SocketAddr {
        let listener = bind(0).unwrap();
        let addr = listener.local_addr().unwrap();
        assert!(addr.ip().is_loopback());
        let root = www.to_path_buf();
        std::thread::spawn(move || serve(listener, root));
        addr
    }

    struct Reply {
        status: u16,
        headers: HashMap<String, String>,
        body: Vec<u8>,
    }

    impl Reply {
        fn header(&self, name: &str) -> &str {
            self.headers.get(name).map_or("", String::as_str)
        }
    }

    /// One request on its own connection, read to the end (`Connection:
    /// close`), so no step waits on a clock.
    fn request(addr: SocketAddr, method: &str, target: &str) -> Reply {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a header block");
        let head = String::from_utf8(raw[..end].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Reply {
            status,
            headers,
            body: raw[end + 4..].to_vec(),
        }
    }

    fn get(addr: SocketAddr, target: &str) -> Reply {
        request(addr, "GET", target)
    }

    fn assert_refused(r: &Reply, target: &str) {
        assert_eq!(r.status, 404, "{target}");
        assert!(
            !String::from_utf8_lossy(&r.body).contains("SECRET"),
            "{target}"
        );
    }

    #[test]
    fn content_types_are_those_the_page_relies_on() {
        for (name, want) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.mjs", "text/javascript; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.wasm", "application/wasm"),
            ("a.json", "application/json"),
            ("a.csv", "text/plain; charset=utf-8"),
            ("a.txt", "text/plain; charset=utf-8"),
            ("a.del", "text/plain; charset=utf-8"),
            ("a.DEL", "text/plain; charset=utf-8"),
            ("a.png", "image/png"),
            ("a.svg", "image/svg+xml"),
            ("a.f64", "application/octet-stream"),
            ("noext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)).as_ref(), want, "{name}");
        }
    }

    #[test]
    fn resolve_stays_in_the_folder() {
        let (base, www) = site("resolve");
        let root = www.canonicalize().unwrap();
        let name = |p: &str| resolve(&root, p).map(|(f, _)| f);
        assert_eq!(name("/"), Some(root.join("index.html")));
        assert_eq!(name("/pkg"), Some(root.join("pkg/index.html")));
        assert_eq!(name("/pkg/"), Some(root.join("pkg/index.html")));
        assert_eq!(name("/./pkg/a.wasm"), Some(root.join("pkg/a.wasm")));
        assert_eq!(name("/%E5%AE%A2%E6%88%B7.csv"), Some(root.join("客户.csv")));
        assert_eq!(name("/pkg%2Fa.wasm"), Some(root.join("pkg/a.wasm")));
        for bad in [
            "/../secret.txt",
            "/pkg/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/pkg/..%2f..%2fsecret.txt",
            "/missing.js",
            "/%ff.js",
            "/index.html%00",
        ] {
            assert_eq!(name(bad), None, "{bad}");
        }
        std::fs::remove_dir_all(base).ok();
    }

    #[test]
    fn serves_files_with_their_type_and_every_header() {
        let (base, www) = site("files");
        let addr = start(&www);
        let wasm = get(addr, "/pkg/a.wasm");
        assert_eq!(wasm.status, 200);
        assert_eq!(wasm.header("content-type"), "application/wasm");
        assert_eq!(wasm.header("content-length"), "4");
        assert_eq!(wasm.body, [0u8, 97, 115, 109]);
        assert_eq!(wasm.header("content-security-policy"), CSP);
        assert_eq!(wasm.header("x-content-type-options"), "nosniff");
        assert_eq!(wasm.header("cache-control"), "no-cache");
        assert_eq!(wasm.header("cross-origin-opener-policy"), "same-origin");
        assert_eq!(wasm.header("cross-origin-embedder-policy"), "require-corp");

        let index = get(addr, "/?lang=en");
        assert_eq!(index.status, 200);
        assert_eq!(index.header("content-type"), "text/html; charset=utf-8");
        assert_eq!(index.body, b"<p>hi</p>");
        assert_eq!(get(addr, "/pkg/").body, b"<p>pkg</p>");
        let del = get(addr, "/t.del");
        assert_eq!(del.header("content-type"), "text/plain; charset=utf-8");
        assert_eq!(del.body, b"1|2\n");
        assert_eq!(get(addr, "/%E5%AE%A2%E6%88%B7.csv").body, b"a,b\n");

        let head = request(addr, "HEAD", "/pkg/a.wasm");
        assert_eq!(head.status, 200);
        assert_eq!(head.header("content-length"), "4");
        assert!(head.body.is_empty());
        std::fs::remove_dir_all(base).ok();
    }

    #[test]
    fn refuses_what_it_should_with_the_same_headers() {
        let (base, www) = site("refuse");
        let addr = start(&www);
        let missing = get(addr, "/nope.js");
        assert_eq!(missing.status, 404);
        assert_eq!(missing.header("content-type"), "text/plain");
        assert_eq!(missing.body, b"not found");
        assert_eq!(missing.header("content-security-policy"), CSP);
        assert_eq!(
            missing.header("cross-origin-embedder-policy"),
            "require-corp"
        );
        for target in [
            "/../secret.txt",
            "/pkg/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2e%2e%2fsecret.txt",
            "/pkg/%2E%2E/%2E%2E/secret.txt",
        ] {
            assert_refused(&get(addr, target), target);
        }
        let post = request(addr, "POST", "/index.html");
        assert_eq!(post.status, 405);
        assert_eq!(post.header("allow"), "GET, HEAD");
        assert_eq!(post.header("x-content-type-options"), "nosniff");
        std::fs::remove_dir_all(base).ok();
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_that_lead_out_of_the_folder() {
        use std::os::unix::fs::symlink;
        let (base, www) = site("symlink");
        symlink(base.join("secret.txt"), www.join("leak.txt")).unwrap();
        symlink(base.join("outside"), www.join("out")).unwrap();
        symlink(www.join("pkg/a.wasm"), www.join("inside.wasm")).unwrap();
        let addr = start(&www);
        for target in ["/leak.txt", "/out/", "/out/index.html", "/out"] {
            assert_refused(&get(addr, target), target);
        }
        // A symlink that stays inside is served.
        let inside = get(addr, "/inside.wasm");
        assert_eq!(inside.status, 200);
        assert_eq!(inside.header("content-type"), "application/wasm");
        std::fs::remove_dir_all(base).ok();
    }
}
