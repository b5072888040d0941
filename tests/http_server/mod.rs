//! A tiny local HTTP/1.1 server (tokio) for the scraper tests: scripted responses per path (status, headers,
//! body, delay), and a record of every request with its arrival time.
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;

#[derive(Clone, Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Resp {
    pub fn ok(body: Vec<u8>) -> Self {
        Resp { status: 200, headers: Vec::new(), body, delay: Duration::ZERO }
    }
    pub fn status(status: u16) -> Self {
        Resp { status, ..Resp::ok(Vec::new()) }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
}

#[derive(Clone, Debug)]
pub struct Hit {
    pub target: String,
    pub at: Instant,
    pub headers: BTreeMap<String, String>,
}

/// Routes are prefixes of the request target (path and query), longest first; a route answers its scripted
/// responses in order and repeats the last one. Unrouted targets get 404.
pub type Routes = Arc<Mutex<Vec<(String, VecDeque<Resp>)>>>;

#[derive(Clone, Default)]
pub struct Server {
    pub addr: Option<SocketAddr>,
    pub routes: Routes,
    pub hits: Arc<Mutex<Vec<Hit>>>,
}

impl Server {
    pub async fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let s = Server { addr: Some(listener.local_addr().unwrap()), ..Default::default() };
        let (routes, hits) = (s.routes.clone(), s.hits.clone());
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve(sock, routes.clone(), hits.clone()));
            }
        });
        s
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr.unwrap())
    }

    pub fn route(&self, prefix: &str, script: Vec<Resp>) {
        let mut r = self.routes.lock().unwrap();
        r.retain(|(p, _)| p != prefix);
        r.push((prefix.to_string(), script.into()));
        r.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    }

    pub fn hits(&self, prefix: &str) -> Vec<Hit> {
        self.hits.lock().unwrap().iter().filter(|h| h.target.starts_with(prefix)).cloned().collect()
    }

    pub fn total_hits(&self) -> usize {
        self.hits.lock().unwrap().len()
    }
}

pub async fn serve(mut sock: tokio::net::TcpStream, routes: Routes, hits: Arc<Mutex<Vec<Hit>>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let at = Instant::now();
    let head = String::from_utf8_lossy(&buf).to_string();
    let mut lines = head.split("\r\n");
    let target = lines.next().unwrap_or_default().split(' ').nth(1).unwrap_or_default().to_string();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    hits.lock().unwrap().push(Hit { target: target.clone(), at, headers });
    let resp = {
        let mut r = routes.lock().unwrap();
        match r.iter_mut().find(|(p, _)| target.starts_with(p.as_str())) {
            Some((_, q)) if q.len() > 1 => q.pop_front().unwrap(),
            Some((_, q)) => q.front().cloned().unwrap_or(Resp::status(404)),
            None => Resp::status(404),
        }
    };
    tokio::time::sleep(resp.delay).await;
    let mut out = format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n", resp.status, resp.body.len());
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let _ = sock.write_all(out.as_bytes()).await;
    let _ = sock.write_all(&resp.body).await;
    let _ = sock.shutdown().await;
}
