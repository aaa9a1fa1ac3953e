//! A TCP proxy between a storage and its server, to break connections on purpose: cut every
//! open connection at once (a dropped network, a killed server), refuse new ones for a while (a
//! restarting server), or cut a connection right after a chosen request reached the server,
//! before its reply comes back (a write whose outcome the client cannot know).
//!
//! Threads and std only: one thread accepts, two per connection copy bytes. No thread ever
//! panics; every error just closes the connection it happened on. Dropping the [`Proxy`] stops
//! accepting and cuts every connection, which ends all its threads.
//!
//! ```ignore
//! let proxy = Proxy::start("127.0.0.1:6379");
//! let storage = open(&proxy.url_for("redis://127.0.0.1:6379/0"));
//! proxy.cut(); // the storage's next command finds its connection gone
//! proxy.refuse_for(Duration::from_secs(2)); // and cannot reconnect for 2 s
//! ```

#![allow(dead_code)] // Each test binary uses a part.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A proxy listening on `127.0.0.1:<port()>`, forwarding every connection to its target.
pub struct Proxy {
    shared: Arc<Shared>,
    port: u16,
    acceptor: Option<JoinHandle<()>>,
}

/// What the proxy's threads share.
struct Shared {
    target: String,
    stopping: AtomicBool,
    /// New connections are closed at once until then.
    refuse_until: Mutex<Option<Instant>>,
    links: Mutex<Vec<Arc<Link>>>,
    accepted: AtomicUsize,
    /// The marker of `cut_reply_to`, while armed.
    reply_marker: Mutex<Option<Vec<u8>>>,
    replies_cut: AtomicUsize,
}

/// One proxied connection: the client's socket and the server's.
struct Link {
    client: TcpStream,
    server: TcpStream,
    /// Set when a request carrying the marker went to the server: its reply is not relayed.
    cut_reply: AtomicBool,
}

impl Link {
    /// Shuts both sockets in both directions: each end sees the connection closed, and both
    /// copying threads stop.
    fn cut(&self) {
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.server.shutdown(Shutdown::Both);
    }
}

/// Locks `m`, ignoring poisoning (no proxy thread panics, but a test thread might).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Proxy {
    /// Starts a proxy on `127.0.0.1:0` (a free port) to `target` (`"127.0.0.1:6379"`, or any
    /// `host:port`, resolved at each connection).
    /// Panics only if it cannot listen.
    pub fn start(target: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("the proxy listens");
        let port = listener.local_addr().expect("the proxy has a port").port();
        let shared = Arc::new(Shared {
            target: target.to_owned(),
            stopping: AtomicBool::new(false),
            refuse_until: Mutex::new(None),
            links: Mutex::new(Vec::new()),
            accepted: AtomicUsize::new(0),
            reply_marker: Mutex::new(None),
            replies_cut: AtomicUsize::new(0),
        });
        let acceptor = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("proxy-{port}"))
                .spawn(move || accept(listener, shared))
                .expect("the proxy starts its thread")
        };
        Proxy {
            shared,
            port,
            acceptor: Some(acceptor),
        }
    }

    /// The port it listens on (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `url` with its `host:port` replaced by this proxy's `127.0.0.1:<port>`, everything else
    /// (scheme, user and password, database, query) kept: `redis://127.0.0.1:6379/0`,
    /// `postgresql://postgres@127.0.0.1:5432/test`, `mysql://root:pw@db:3306/test?x=1`.
    pub fn url_for(&self, url: &str) -> String {
        let rest_at = url.find("://").map_or(0, |i| i + 3);
        let (scheme, rest) = url.split_at(rest_at);
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let userinfo = authority.rfind('@').map_or("", |i| &authority[..=i]);
        format!("{scheme}{userinfo}127.0.0.1:{}{tail}", self.port)
    }

    /// Cuts every open connection at once, both sockets in both directions, as a dropped
    /// network or a killed server would. New connections are accepted as before.
    pub fn cut(&self) {
        let links = std::mem::take(&mut *lock(&self.shared.links));
        for link in links {
            link.cut();
        }
    }

    /// Cuts every open connection, then for `d` closes each new one right after accepting it
    /// (a restarting server); afterwards connections are forwarded again.
    pub fn refuse_for(&self, d: Duration) {
        *lock(&self.shared.refuse_until) = Some(Instant::now() + d);
        self.cut();
    }

    /// Arms a one-shot trap: the next request (on any connection) whose bytes contain `marker`
    /// is forwarded to the server, and then that connection is cut instead of relaying the reply,
    /// so the client cannot know whether the server ran it. [`replies_cut`](Self::replies_cut)
    /// counts the traps sprung. (The marker is looked for in each chunk read from the client,
    /// so it should be short and near the start of the request, like a command name.)
    pub fn cut_reply_to(&self, marker: &[u8]) {
        *lock(&self.shared.reply_marker) = Some(marker.to_vec());
    }

    /// How many replies [`cut_reply_to`](Self::cut_reply_to) kept from their client.
    pub fn replies_cut(&self) -> usize {
        self.shared.replies_cut.load(Ordering::SeqCst)
    }

    /// How many connections were accepted so far (refused ones included): each reconnection of
    /// a storage adds at least one.
    pub fn accepted(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptor, blocked in `accept`.
        let _ =
            TcpStream::connect_timeout(&([127, 0, 0, 1], self.port).into(), Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        self.cut();
    }
}

/// The acceptor's loop, until the proxy is dropped.
fn accept(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let accepted = listener.accept();
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let client = match accepted {
            Ok((client, _)) => client,
            Err(_) => {
                // Out of file descriptors or the like: wait a little rather than spin.
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
        };
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        let refusing = lock(&shared.refuse_until).is_some_and(|until| Instant::now() < until);
        if refusing {
            let _ = client.shutdown(Shutdown::Both);
            continue;
        }
        let _ = client.set_nodelay(true);
        let server = shared.target.to_socket_addrs().ok().and_then(|mut addrs| {
            addrs.find_map(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok())
        });
        let Some(server) = server else {
            // The server is down (or its name does not resolve): so is this connection.
            continue;
        };
        let _ = server.set_nodelay(true);
        let link = Arc::new(Link {
            client,
            server,
            cut_reply: AtomicBool::new(false),
        });
        lock(&shared.links).push(link.clone());
        // A `cut` that ran between the `accept` and the push missed this link: the next one
        // will not. Spawn failures close the link.
        for to_server in [true, false] {
            let (shared, pumped) = (shared.clone(), link.clone());
            let spawned = std::thread::Builder::new()
                .name("proxy-pump".into())
                .spawn(move || pump(&shared, &pumped, to_server));
            if spawned.is_err() {
                link.cut();
            }
        }
    }
}

/// Copies bytes one way on `link` until either side closes or fails, then cuts the link (so
/// the other direction's thread stops too) and forgets it.
fn pump(shared: &Shared, link: &Arc<Link>, to_server: bool) {
    let (mut from, mut to) = if to_server {
        (&link.client, &link.server)
    } else {
        (&link.server, &link.client)
    };
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        if to_server {
            let mut marker = lock(&shared.reply_marker);
            if marker
                .as_deref()
                .is_some_and(|m| !m.is_empty() && chunk.windows(m.len()).any(|w| w == m))
            {
                *marker = None;
                // Before the request leaves: its reply cannot come back before this is seen.
                link.cut_reply.store(true, Ordering::SeqCst);
            }
        } else if link.cut_reply.load(Ordering::SeqCst) {
            shared.replies_cut.fetch_add(1, Ordering::SeqCst);
            break;
        }
        if to.write_all(chunk).is_err() {
            break;
        }
    }
    link.cut();
    lock(&shared.links).retain(|l| !Arc::ptr_eq(l, link));
}

/// The `host:port` a URL such as `postgresql://user:pw@127.0.0.1:5432/test` points at (with
/// `default_port` when it names none): the target to start a [`Proxy`] for.
pub fn address_of(url: &str, default_port: u16) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:{default_port}")
    }
}
