//! The server-matrix contract (tests/matrix/) served by socketioxide, a Rust Socket.IO server.
//!
//! Binds 127.0.0.1 on the port given as the first argument (0: any free port) and prints
//! `listening <port>` once it accepts connections. Namespaces "/" and "/admin" answer:
//!   whoami(cb)        -> cb({ id, nsp, transport })
//!   echo(value)       -> emits "echo" value back (binary stays binary: rmpv keeps it)
//!   ack(value, cb)    -> cb(value)
//!   ask(value, cb)    -> emits "question" value with an ack, then cb(the client's answer)
//!   disconnect-me     -> the server disconnects the socket
//! "/private" refuses a handshake whose auth is not { token: "secret" } with "not authorized".
//! One-argument events only: socketioxide extracts a fixed number of arguments.

use std::fmt;

use rmpv::Value;
use serde_json::json;
use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;
use tower_http::cors::CorsLayer;

async fn on_connect(socket: SocketRef) {
    socket.on("whoami", async |s: SocketRef, ack: AckSender| {
        let transport = format!("{:?}", s.transport_type()).to_lowercase();
        let _ = ack.send(&json!({ "id": s.id.to_string(), "nsp": s.ns(), "transport": transport }));
    });
    socket.on("echo", async |s: SocketRef, Data(value): Data<Value>| {
        let _ = s.emit("echo", &value);
    });
    socket.on("ack", async |Data(value): Data<Value>, ack: AckSender| {
        let _ = ack.send(&value);
    });
    socket.on(
        "ask",
        async |s: SocketRef, Data(value): Data<Value>, ack: AckSender| {
            if let Ok(answer) = s.emit_with_ack::<_, Value>("question", &value) {
                if let Ok(answer) = answer.await {
                    let _ = ack.send(&answer);
                }
            }
        },
    );
    socket.on("disconnect-me", async |s: SocketRef| {
        let _ = s.disconnect();
    });
}

#[derive(Debug)]
struct NotAuthorized;

impl fmt::Display for NotAuthorized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not authorized")
    }
}

async fn authorize(TryData(auth): TryData<serde_json::Value>) -> Result<(), NotAuthorized> {
    match auth {
        Ok(auth) if auth == json!({ "token": "secret" }) => Ok(()),
        _ => Err(NotAuthorized),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::args().nth(1).map_or(Ok(0), |p| p.parse())?;
    let (layer, io) = SocketIo::builder().max_payload(10_000_000).build_layer();
    io.ns("/", on_connect);
    io.ns("/admin", on_connect);
    io.ns("/private", on_connect.with(authorize));
    // The test pages come from another origin: polling requests need CORS (WebSocket does not).
    let app = axum::Router::new()
        .layer(layer)
        .layer(CorsLayer::permissive());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening {}", listener.local_addr()?.port());
    axum::serve(listener, app).await?;
    Ok(())
}
