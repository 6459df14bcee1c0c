//! HTTP/1.1 keep-alive connections to the server under test.

use std::net::SocketAddr;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// One connection, sending one request at a time.
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    host: String,
}

/// What came back: the status and the whole body.
pub struct Answer {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> anyhow::Result<serde_json::Value> {
        serde_json::from_slice(&self.body).context("the body is not JSON")
    }
}

impl Connection {
    pub async fn open(address: SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(address)
            .await
            .with_context(|| format!("cannot connect to {address}"))?;
        stream.set_nodelay(true)?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .context("HTTP handshake")?;
        tokio::spawn(connection);
        Ok(Self {
            sender,
            host: address.to_string(),
        })
    }

    /// Sends a request with a bearer token and, when given, a JSON body.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        token: &str,
        json: Option<String>,
    ) -> anyhow::Result<Answer> {
        self.send_with(method, path, token, json, &[]).await
    }

    /// [`Connection::send`], with more headers.
    pub async fn send_with(
        &mut self,
        method: Method,
        path: &str,
        token: &str,
        json: Option<String>,
        headers: &[(&str, String)],
    ) -> anyhow::Result<Answer> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host)
            .header("authorization", format!("Bearer {token}"))
            .header("accept", "application/json");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if json.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request.body(Full::new(Bytes::from(json.unwrap_or_default())))?;
        self.sender.ready().await.context("the connection closed")?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Answer { status, body })
    }
}
