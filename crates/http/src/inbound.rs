//! HTTP/1 connections on their way to actix, which answers some requests
//! before any middleware runs, with an empty body and no request id: a
//! request target holding raw non-ASCII bytes (`curl -g '...=Société'`), a
//! head that arrives too slowly, one over its size limits, or one that does
//! not parse. [`Inbound`] wraps each accepted socket and watches every
//! request head go by:
//!
//! - raw bytes of 0x80 and above in the request target are percent-encoded,
//!   so such a request is served as nginx and PHP's server serve it (bytes
//!   that do not spell UTF-8 then get the query string's JSON 400);
//! - a head not complete within the client timeout (counted from the
//!   connection for its first request, from its first byte afterwards),
//!   over [`MAX_HEAD_BYTES`], or that does not parse, is replaced by a
//!   request for an internal route that answers the matching JSON error
//!   (400, 408, 414 or 431) through the middleware, request id included,
//!   and closes the connection. Responses keep their order on the
//!   connection, since actix writes them all.
//!
//! To find each next head exactly where actix does, it follows bodies byte
//! for byte (`Content-Length`, or chunked), and on anything it cannot frame
//! (both framings, an unknown transfer coding, an upgrade) it stops looking
//! and passes every further byte through untouched: actix refuses those
//! requests and closes the connection, or serves them as they are.

use std::io;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use actix_web::web::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// The largest request head (request line and headers) read; actix's own
/// parser stops at 128 KiB without a body.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// As many headers as actix parses.
const MAX_HEADERS: usize = 96;
/// The internal route the replacement requests ask for.
pub const REFUSAL_PATH: &str = "/__inbound/refused";
/// The header that proves a request for [`REFUSAL_PATH`] came from this
/// layer, not from a client.
pub const REFUSAL_HEADER: &str = "x-inbound-refusal";

/// A head this layer refuses, and the answer it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 400: the head does not parse.
    Malformed,
    /// 408: the head did not arrive in time.
    TooSlow,
    /// 414: the request line alone is over the head limit.
    UriTooLong,
    /// 431: the head is over its limits.
    HeadTooLarge,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Malformed => "malformed",
            Refusal::TooSlow => "too-slow",
            Refusal::UriTooLong => "uri-too-long",
            Refusal::HeadTooLarge => "head-too-large",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            Refusal::Malformed,
            Refusal::TooSlow,
            Refusal::UriTooLong,
            Refusal::HeadTooLarge,
        ]
        .into_iter()
        .find(|refusal| refusal.code() == code)
    }
}

/// A secret of this process, so that only this layer can ask for a refusal.
pub fn refusal_secret() -> &'static str {
    static SECRET: OnceLock<String> = OnceLock::new();
    SECRET.get_or_init(|| uuid::Uuid::new_v4().simple().to_string())
}

/// The request that stands in for a refused head.
fn replacement(refusal: Refusal) -> Bytes {
    Bytes::from(format!(
        "GET {REFUSAL_PATH}/{} HTTP/1.1\r\nhost: localhost\r\n{REFUSAL_HEADER}: {}\r\n\
         connection: close\r\n\r\n",
        refusal.code(),
        refusal_secret()
    ))
}

/// Where the byte stream is, as far as request boundaries go.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Between requests (leading empty lines pass through).
    Idle,
    /// Collecting a head.
    Head,
    /// This many body bytes still to pass through.
    Body(u64),
    /// Inside a chunked body.
    Chunked(Chunk),
    /// Passing everything through untouched.
    Opaque,
    /// A replacement was handed on: the rest of the input is discarded.
    Refused,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Chunk {
    /// Reading a chunk-size line.
    Size,
    /// This many data bytes, then the CRLF that ends the chunk.
    Data(u64),
    /// The CRLF after a chunk's data.
    DataEnd,
    /// Trailer lines after the last chunk, up to an empty line.
    Trailers,
}

/// The pure part: turns input bytes into what actix reads.
#[derive(Debug)]
struct Framer {
    state: State,
    /// Input not yet handed on (a partial head, or a partial chunk line).
    pending: BytesMut,
    /// How much of `pending` is known to hold no end of head (or of line):
    /// a head trickled in byte by byte is scanned once, not once per byte.
    searched: usize,
    /// Heads handed on so far.
    heads: u64,
}

impl Framer {
    fn new() -> Self {
        Self {
            state: State::Idle,
            pending: BytesMut::new(),
            searched: 0,
            heads: 0,
        }
    }

    /// Whether `pending` holds `pattern`, looking only at what is new.
    fn holds(&mut self, pattern: &[u8]) -> bool {
        let from = self.searched.saturating_sub(pattern.len() - 1);
        let found = self.pending[from..]
            .windows(pattern.len())
            .any(|window| window == pattern);
        self.searched = if found { 0 } else { self.pending.len() };
        found
    }

    fn enter(&mut self, state: State) {
        self.state = state;
        self.searched = 0;
    }

    /// Moves whatever can be decided from `pending` to `out`.
    fn advance(&mut self, out: &mut BytesMut) {
        loop {
            if self.pending.is_empty() {
                return;
            }
            match self.state.clone() {
                State::Idle => {
                    let blank = self
                        .pending
                        .iter()
                        .take_while(|b| matches!(b, b'\r' | b'\n'))
                        .count();
                    out.extend_from_slice(&self.pending.split_to(blank));
                    if !self.pending.is_empty() {
                        self.enter(State::Head);
                    }
                }
                State::Head if !self.holds_head_end() => {
                    if self.pending.len() > MAX_HEAD_BYTES {
                        self.refuse(self.oversized(), out);
                    }
                    return;
                }
                State::Head => match read_head(&self.pending) {
                    HeadOutcome::Partial => {
                        if self.pending.len() > MAX_HEAD_BYTES {
                            self.refuse(self.oversized(), out);
                        }
                        return;
                    }
                    HeadOutcome::Refused(refusal) => self.refuse(refusal, out),
                    HeadOutcome::Complete { length, .. } if length > MAX_HEAD_BYTES => {
                        self.refuse(self.oversized(), out);
                    }
                    HeadOutcome::Complete {
                        length,
                        head,
                        framing,
                    } => {
                        drop(self.pending.split_to(length));
                        out.extend_from_slice(&head);
                        self.heads += 1;
                        self.enter(match framing {
                            Framing::None | Framing::Length(0) => State::Idle,
                            Framing::Length(n) => State::Body(n),
                            Framing::Chunked => State::Chunked(Chunk::Size),
                            Framing::Unknown => State::Opaque,
                        });
                    }
                },
                State::Body(left) => {
                    let take = usize::try_from(left)
                        .unwrap_or(usize::MAX)
                        .min(self.pending.len());
                    out.extend_from_slice(&self.pending.split_to(take));
                    let left = left - take as u64;
                    self.state = if left == 0 {
                        State::Idle
                    } else {
                        State::Body(left)
                    };
                }
                State::Chunked(chunk) => {
                    if !self.chunked(chunk, out) {
                        return;
                    }
                }
                State::Opaque => {
                    out.extend_from_slice(&self.pending.split());
                }
                State::Refused => {
                    self.pending.clear();
                }
            }
        }
    }

    /// One step through a chunked body; `false` when more input is needed.
    fn chunked(&mut self, chunk: Chunk, out: &mut BytesMut) -> bool {
        match chunk {
            Chunk::Size | Chunk::Trailers => {
                if !self.holds(b"\n") {
                    if self.pending.len() > MAX_HEAD_BYTES {
                        self.enter(State::Opaque);
                        return true;
                    }
                    return false;
                }
                let Some(end) = self.pending.iter().position(|b| *b == b'\n') else {
                    return false;
                };
                let line = self.pending.split_to(end + 1);
                out.extend_from_slice(&line);
                let text = line.strip_suffix(b"\n").unwrap_or(&line);
                let text = text.strip_suffix(b"\r").unwrap_or(text);
                self.enter(if chunk == Chunk::Trailers {
                    if text.is_empty() {
                        State::Idle
                    } else {
                        State::Chunked(Chunk::Trailers)
                    }
                } else {
                    match chunk_size(text) {
                        Some(0) => State::Chunked(Chunk::Trailers),
                        Some(size) => State::Chunked(Chunk::Data(size)),
                        None => State::Opaque,
                    }
                });
            }
            Chunk::Data(left) => {
                let take = usize::try_from(left)
                    .unwrap_or(usize::MAX)
                    .min(self.pending.len());
                out.extend_from_slice(&self.pending.split_to(take));
                let left = left - take as u64;
                self.state = State::Chunked(if left == 0 {
                    Chunk::DataEnd
                } else {
                    Chunk::Data(left)
                });
            }
            Chunk::DataEnd => {
                if self.pending.len() < 2 {
                    return false;
                }
                let crlf = self.pending.split_to(2);
                out.extend_from_slice(&crlf);
                self.state = if &crlf[..] == b"\r\n" {
                    State::Chunked(Chunk::Size)
                } else {
                    State::Opaque
                };
            }
        }
        true
    }

    /// Why a head over the limit is refused: its request line alone, or all of it.
    fn oversized(&self) -> Refusal {
        let line = self.pending.iter().position(|b| *b == b'\n');
        if line.is_some_and(|end| end < MAX_HEAD_BYTES) {
            Refusal::HeadTooLarge
        } else {
            Refusal::UriTooLong
        }
    }

    fn refuse(&mut self, refusal: Refusal, out: &mut BytesMut) {
        self.pending.clear();
        out.extend_from_slice(&replacement(refusal));
        self.enter(State::Refused);
    }

    /// Whether `pending` holds the empty line that ends a head (`\n\n` or
    /// `\n\r\n`), looking only at what is new.
    fn holds_head_end(&mut self) -> bool {
        let from = self.searched.saturating_sub(2);
        let bytes = &self.pending[from..];
        let found = bytes.iter().enumerate().any(|(at, byte)| {
            *byte == b'\n'
                && match bytes.get(at + 1) {
                    Some(b'\n') => true,
                    Some(b'\r') => bytes.get(at + 2) == Some(&b'\n'),
                    _ => false,
                }
        });
        self.searched = if found { 0 } else { self.pending.len() };
        found
    }

    /// Whether a head has begun but not ended (the head timer runs).
    fn mid_head(&self) -> bool {
        self.state == State::Head
    }
}

/// What actix would read from a connection whose input arrived in these
/// pieces (and whether the layer refused a head). For the fuzz target and
/// tests: however the input is split, the answer must be the same.
pub fn reframe<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> (Vec<u8>, bool) {
    let mut framer = Framer::new();
    let mut out = BytesMut::new();
    for piece in pieces {
        framer.pending.extend_from_slice(piece);
        framer.advance(&mut out);
    }
    (out.to_vec(), framer.state == State::Refused)
}

/// How the body of a request is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    None,
    Length(u64),
    Chunked,
    /// Something this layer will not second-guess.
    Unknown,
}

enum HeadOutcome {
    Partial,
    Refused(Refusal),
    Complete {
        /// Bytes of input the head took.
        length: usize,
        /// The head as actix gets it.
        head: Vec<u8>,
        framing: Framing,
    },
}

/// Reads a head from the start of `input`, with its target's raw non-ASCII
/// bytes percent-encoded.
fn read_head(input: &[u8]) -> HeadOutcome {
    let Some(line_end) = input.iter().position(|b| *b == b'\n') else {
        return HeadOutcome::Partial;
    };
    let mut head = encode_target(&input[..line_end]);
    let grown = head.len() - line_end;
    head.extend_from_slice(&input[line_end..]);
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(&head) {
        Ok(httparse::Status::Partial) => HeadOutcome::Partial,
        Ok(httparse::Status::Complete(length)) => {
            let framing = framing(&request);
            head.truncate(length);
            HeadOutcome::Complete {
                length: length - grown,
                head,
                framing,
            }
        }
        Err(httparse::Error::TooManyHeaders) => HeadOutcome::Refused(Refusal::HeadTooLarge),
        Err(_) => HeadOutcome::Refused(Refusal::Malformed),
    }
}

/// The request line with every byte of 0x80 and above in its target
/// written as `%XX`.
fn encode_target(line: &[u8]) -> Vec<u8> {
    let mut encoded = Vec::with_capacity(line.len());
    let mut spaces = 0;
    for &byte in line {
        if byte == b' ' {
            spaces += 1;
        }
        if spaces == 1 && byte >= 0x80 {
            encoded.extend_from_slice(format!("%{byte:02X}").as_bytes());
        } else {
            encoded.push(byte);
        }
    }
    encoded
}

fn framing(request: &httparse::Request) -> Framing {
    if request.method == Some("CONNECT") {
        return Framing::Unknown;
    }
    let mut length = None;
    let mut chunked = false;
    for header in request.headers.iter() {
        let value = std::str::from_utf8(header.value).map(str::trim);
        if header.name.eq_ignore_ascii_case("content-length") {
            let parsed = value
                .ok()
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<u64>().ok());
            match (parsed, length) {
                (Some(n), None) => length = Some(n),
                _ => return Framing::Unknown,
            }
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            let last = value.ok().and_then(|v| v.rsplit(',').next()).map(str::trim);
            if chunked || !last.is_some_and(|coding| coding.eq_ignore_ascii_case("chunked")) {
                return Framing::Unknown;
            }
            chunked = true;
        } else if header.name.eq_ignore_ascii_case("upgrade") {
            return Framing::Unknown;
        }
    }
    match (length, chunked) {
        (Some(_), true) => Framing::Unknown,
        (Some(n), false) => Framing::Length(n),
        (None, true) => Framing::Chunked,
        (None, false) => Framing::None,
    }
}

/// A chunk-size line's size (extensions after `;` ignored).
fn chunk_size(line: &[u8]) -> Option<u64> {
    let digits = line.split(|b| *b == b';').next()?;
    let digits = std::str::from_utf8(digits).ok()?.trim();
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

/// A connection as actix reads it; see the module documentation.
pub struct Inbound<S> {
    io: S,
    framer: Framer,
    /// Bytes ready for actix.
    ready: BytesMut,
    client_timeout: Duration,
    /// Runs while a head is being read.
    head_timer: Option<Pin<Box<Sleep>>>,
    eof: bool,
}

impl<S> Inbound<S> {
    /// The first head's timer starts with the connection: a client that
    /// connects and sends nothing is answered too.
    pub fn new(io: S, client_timeout: Duration) -> Self {
        Self {
            io,
            framer: Framer::new(),
            ready: BytesMut::new(),
            client_timeout,
            head_timer: Some(Box::pin(tokio::time::sleep(client_timeout))),
            eof: false,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Inbound<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if !this.ready.is_empty() {
                let n = this.ready.len().min(buf.remaining());
                buf.put_slice(&this.ready.split_to(n));
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            let mut chunk = [0u8; 8 * 1024];
            let mut read = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.io).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) => {
                    let bytes = read.filled();
                    if bytes.is_empty() {
                        this.eof = true;
                        continue;
                    }
                    let heads_before = this.framer.heads;
                    this.framer.pending.extend_from_slice(bytes);
                    this.framer.advance(&mut this.ready);
                    this.track_head_timer(heads_before);
                }
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => {
                    if let Some(timer) = this.head_timer.as_mut() {
                        ready!(timer.as_mut().poll(cx));
                        this.head_timer = None;
                        this.framer.refuse(Refusal::TooSlow, &mut this.ready);
                        continue;
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

impl<S> Inbound<S> {
    /// Restarts the timer when a head begins, stops it while none is under
    /// way. Until the first head is handed on, the connection's own timer runs.
    fn track_head_timer(&mut self, heads_before: u64) {
        let handed_on = self.framer.heads != heads_before;
        if self.framer.mid_head() {
            if handed_on || self.head_timer.is_none() {
                self.head_timer = Some(Box::pin(tokio::time::sleep(self.client_timeout)));
            }
        } else if handed_on || self.framer.heads > 0 || self.framer.state == State::Refused {
            self.head_timer = None;
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Inbound<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` in pieces of `step` bytes; returns what actix would read.
    fn frame(input: &[u8], step: usize) -> (Vec<u8>, State) {
        let mut framer = Framer::new();
        let mut out = BytesMut::new();
        for piece in input.chunks(step.max(1)) {
            framer.pending.extend_from_slice(piece);
            framer.advance(&mut out);
        }
        (out.to_vec(), framer.state)
    }

    fn every_split(input: &[u8], expected: &[u8], state: &State) {
        for step in [1, 2, 3, 7, 64, input.len()] {
            let (out, end) = frame(input, step);
            assert!(
                out == expected,
                "step {step}: {:.300}",
                String::from_utf8_lossy(&out)
            );
            assert_eq!(&end, state, "step {step}");
        }
    }

    #[test]
    fn raw_non_ascii_in_the_target_is_percent_encoded_and_nothing_else_changes() {
        let input = "GET /api/v1/prospects?filter[term_match]=Société HTTP/1.1\r\nHost: x\r\nX-Name: Société\r\n\r\n";
        let expected = "GET /api/v1/prospects?filter[term_match]=Soci%C3%A9t%C3%A9 HTTP/1.1\r\nHost: x\r\nX-Name: Société\r\n\r\n";
        every_split(input.as_bytes(), expected.as_bytes(), &State::Idle);
    }

    #[test]
    fn bodies_pass_untouched_and_the_next_head_is_found_after_them() {
        let body = "{\"name\": \"GET /é HTTP/1.1\"}";
        let input = format!(
            "POST /a HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}\
             PUT /é HTTP/1.1\r\ncontent-length: 2\r\n\r\néGET /ü HTTP/1.1\r\n\r\n",
            body.len()
        );
        let expected = format!(
            "POST /a HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}\
             PUT /%C3%A9 HTTP/1.1\r\ncontent-length: 2\r\n\r\néGET /%C3%BC HTTP/1.1\r\n\r\n",
            body.len()
        );
        every_split(input.as_bytes(), expected.as_bytes(), &State::Idle);
    }

    #[test]
    fn chunked_bodies_are_followed_chunk_by_chunk() {
        let data = "é GET /é\r\n";
        let input = format!(
            "POST /a HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n\
             5;ext=1\r\nGET /\r\n{:x}\r\n{data}\r\n0\r\nX-Trailer: é\r\n\r\n\
             GET /é HTTP/1.1\r\n\r\n",
            data.len()
        );
        let expected = input.replace("GET /é HTTP", "GET /%C3%A9 HTTP");
        every_split(input.as_bytes(), expected.as_bytes(), &State::Idle);
    }

    #[test]
    fn what_cannot_be_framed_passes_through_untouched() {
        for input in [
            "POST /a HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabcGET /é HTTP/1.1\r\n\r\n",
            "POST /a HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcGET /é HTTP/1.1\r\n\r\n",
            "POST /a HTTP/1.1\r\nContent-Length: +3\r\n\r\nabcGET /é HTTP/1.1\r\n\r\n",
            "POST /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabcGET /é HTTP/1.1\r\n\r\n",
            "GET /a HTTP/1.1\r\nUpgrade: websocket\r\n\r\nGET /é HTTP/1.1\r\n\r\n",
            "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET /é HTTP/1.1\r\n\r\n",
        ] {
            every_split(input.as_bytes(), input.as_bytes(), &State::Opaque);
        }
    }

    #[test]
    fn heads_that_do_not_parse_or_are_too_large_are_replaced() {
        let refused = |refusal| String::from_utf8(replacement(refusal).to_vec()).expect("text");
        let (out, state) = frame(
            b"GET /a HTTP/1.1\r\nBad Header\r\n\r\nGET / HTTP/1.1\r\n\r\n",
            5,
        );
        assert_eq!(
            String::from_utf8(out).expect("text"),
            refused(Refusal::Malformed)
        );
        assert_eq!(state, State::Refused);
        let long_line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_HEAD_BYTES));
        let (out, _) = frame(long_line.as_bytes(), 4096);
        assert_eq!(
            String::from_utf8(out).expect("text"),
            refused(Refusal::UriTooLong)
        );
        let many = format!(
            "GET / HTTP/1.1\r\n{}\r\n",
            "a: b\r\n".repeat(MAX_HEADERS + 1)
        );
        let (out, _) = frame(many.as_bytes(), 100);
        assert_eq!(
            String::from_utf8(out).expect("text"),
            refused(Refusal::HeadTooLarge)
        );
        let big = format!(
            "GET / HTTP/1.1\r\nx: {}\r\n\r\n",
            "b".repeat(MAX_HEAD_BYTES)
        );
        let (out, _) = frame(big.as_bytes(), 4096);
        assert_eq!(
            String::from_utf8(out).expect("text"),
            refused(Refusal::HeadTooLarge)
        );
    }

    #[test]
    fn empty_lines_before_a_head_pass_through() {
        every_split(
            b"\r\n\r\nGET /\xc3\xa9 HTTP/1.1\r\n\r\n",
            b"\r\n\r\nGET /%C3%A9 HTTP/1.1\r\n\r\n",
            &State::Idle,
        );
    }

    #[test]
    fn however_the_input_is_split_actix_reads_the_same() {
        // HTTP-ish fragments glued together at random, then cut at random.
        let fragments: [&[u8]; 16] = [
            b"GET /\xc3\xa9 HTTP/1.1\r\n",
            b"POST /a?b=\xff HTTP/1.1\r\n",
            b"Content-Length: 3\r\n",
            b"Transfer-Encoding: chunked\r\n",
            b"Host: x\r\n",
            b"\r\n",
            b"\n",
            b"abc",
            b"3\r\nabc\r\n",
            b"0\r\n\r\n",
            b"bad header\r\n",
            b"\xc3\xa9",
            b" ",
            b"Content-Length: 99999999999999999999\r\n",
            b"5;x\r\n",
            b"Upgrade: h2c\r\n",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |bound: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            usize::try_from(seed % bound as u64).unwrap_or_default()
        };
        for _ in 0..2_000 {
            let input: Vec<u8> = (0..next(12) + 1)
                .flat_map(|_| fragments[next(fragments.len())].iter().copied())
                .collect();
            let whole = reframe([&input[..]]);
            let mut pieces = Vec::new();
            let mut rest = &input[..];
            while !rest.is_empty() {
                let (piece, tail) = rest.split_at(next(rest.len()) + 1);
                pieces.push(piece);
                rest = tail;
            }
            assert_eq!(
                reframe(pieces),
                whole,
                "{:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }

    #[test]
    fn refusal_codes_round_trip() {
        for refusal in [
            Refusal::Malformed,
            Refusal::TooSlow,
            Refusal::UriTooLong,
            Refusal::HeadTooLarge,
        ] {
            assert_eq!(Refusal::from_code(refusal.code()), Some(refusal));
        }
    }
}
