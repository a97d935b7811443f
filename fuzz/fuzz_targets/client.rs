//! The whole core driven by arbitrary sequences of inputs: transport events (open, text and
//! binary frames, polling bodies, POSTs done, errors, closes) on any transport it ever opened,
//! user calls (sockets, connect, disconnect, emit, ack, open, close, settings) and virtual time
//! moving on. Nothing may panic, a timer that fires must settle what was due, and reading a
//! polling body must always advance.
#![no_main]

mod common;

use arbitrary::Arbitrary;
use common::{config, Harness};
use libfuzzer_sys::fuzz_target;
use socketio_wasm::protocol::client::Settings;
use socketio_wasm::protocol::socket::{EmitFlags, Outbound};
use socketio_wasm::protocol::DecodeError;

/// Frames a server really sends, for the fuzzer to start from.
const FRAMES: [&str; 16] = [
    r#"0{"sid":"s","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#,
    r#"0{"sid":"s","upgrades":[],"pingInterval":9007199254740992,"pingTimeout":1}"#,
    "40",
    r#"40{"sid":"a"}"#,
    r#"40/admin,{"sid":"b"}"#,
    r#"44{"message":"nope"}"#,
    "41",
    "2",
    "3probe",
    "6",
    "1",
    r#"42["event",1,"two"]"#,
    r#"421["ask"]"#,
    r#"430[1]"#,
    r#"451-["bin",{"_placeholder":true,"num":0}]"#,
    r#"461-0[{"_placeholder":true,"num":0}]"#,
];

const NAMESPACES: [&str; 3] = ["/", "/admin", "/x"];

#[derive(Arbitrary, Debug)]
enum Op {
    Socket(u8),
    Connect(u8),
    Disconnect(u8),
    Emit {
        socket: u8,
        data: String,
        attachments: u8,
        ack: bool,
        timeout: Option<u16>,
        volatile: bool,
    },
    Ack {
        socket: u8,
        wire: u64,
    },
    Authenticate(u8, Option<String>),
    Open(bool),
    Close,
    Settings {
        reconnection: bool,
        attempts: u8,
        timeout: Option<u16>,
    },
    ReportPackets(bool),
    Reject,
    TransportOpen(u8),
    Known {
        transport: u8,
        frame: u8,
    },
    Text {
        transport: u8,
        frame: String,
        head_units: u8,
    },
    Binary(u8, Vec<u8>),
    Poll {
        transport: u8,
        body: String,
    },
    KnownPoll {
        transport: u8,
        frames: Vec<u8>,
    },
    PostDone(u8),
    Error(u8),
    Closed(u8),
    Advance(u32),
    NextDeadline,
}

#[derive(Arbitrary, Debug)]
struct Input {
    polling: bool,
    upgrade: bool,
    ops: Vec<Op>,
}

fuzz_target!(|input: Input| {
    let mut harness = Harness::new(config(input.polling, input.upgrade), Settings::default());
    for op in input.ops.into_iter().take(64) {
        apply(&mut harness, op);
    }
});

fn apply(h: &mut Harness, op: Op) {
    let now = h.at();
    match op {
        Op::Socket(pick) => {
            h.add_socket(NAMESPACES[usize::from(pick) % NAMESPACES.len()]);
        }
        Op::Connect(pick) => {
            if let Some(id) = h.socket(pick) {
                h.client.connect(now, id);
            }
        }
        Op::Disconnect(pick) => {
            if let Some(id) = h.socket(pick) {
                h.client.disconnect(now, id);
            }
        }
        Op::Emit {
            socket,
            data,
            attachments,
            ack,
            timeout,
            volatile,
        } => {
            if let Some(id) = h.socket(socket) {
                let event = Outbound {
                    data,
                    attachments: vec!["AAE=".to_owned(); usize::from(attachments % 4)],
                };
                let flags = EmitFlags {
                    ack,
                    timeout: timeout.map(u64::from),
                    volatile,
                    withheld: false,
                };
                h.client.emit(now, id, event, flags);
            }
        }
        Op::Ack { socket, wire } => {
            if let Some(id) = h.socket(socket) {
                let reply = Outbound {
                    data: "[1]".to_owned(),
                    attachments: Vec::new(),
                };
                h.client.ack(now, id, wire, reply);
            }
        }
        Op::Authenticate(pick, auth) => {
            if let Some(id) = h.socket(pick) {
                h.client.authenticate(now, id, auth.as_deref());
            }
        }
        Op::Open(retry) => h.client.open(now, retry),
        Op::Close => h.client.close(now),
        Op::Settings {
            reconnection,
            attempts,
            timeout,
        } => {
            let settings = Settings {
                reconnection,
                reconnection_attempts: u32::from(attempts),
                timeout: timeout.map(u64::from),
                ..h.client.settings()
            };
            h.client.set_settings(settings);
        }
        Op::ReportPackets(on) => h.client.report_packets(on),
        Op::Reject => h.client.reject_packet(now, DecodeError::InvalidJson),
        Op::TransportOpen(pick) => {
            if let Some(t) = h.transport(pick) {
                h.client.handle_transport_open(now, t);
            }
        }
        Op::Known { transport, frame } => {
            if let Some(t) = h.transport(transport) {
                h.text(t, FRAMES[usize::from(frame) % FRAMES.len()], 128);
            }
        }
        Op::Text {
            transport,
            frame,
            head_units,
        } => {
            if let Some(t) = h.transport(transport) {
                h.text(t, &frame, usize::from(head_units));
            }
        }
        Op::Binary(pick, bytes) => {
            if let Some(t) = h.transport(pick) {
                h.binary(t, &bytes);
            }
        }
        Op::Poll { transport, body } => {
            if let Some(t) = h.transport(transport) {
                h.poll_response(t, &body);
            }
        }
        Op::KnownPoll { transport, frames } => {
            if let Some(t) = h.transport(transport) {
                let body: Vec<&str> = frames
                    .iter()
                    .map(|pick| FRAMES[usize::from(*pick) % FRAMES.len()])
                    .collect();
                h.poll_response(t, &body.join("\u{1e}"));
            }
        }
        Op::PostDone(pick) => {
            if let Some(t) = h.transport(pick) {
                h.client.handle_post_done(now, t);
            }
        }
        Op::Error(pick) => {
            if let Some(t) = h.transport(pick) {
                h.fail(t);
            }
        }
        Op::Closed(pick) => {
            if let Some(t) = h.transport(pick) {
                h.client.handle_transport_close(now, t, None);
            }
        }
        Op::Advance(millis) => h.advance(u64::from(millis)),
        Op::NextDeadline => h.next_deadline(),
    }
    h.drain();
}
