//! Text frames handed in as the browser driver hands them: a head (at most 128 UTF-16 units)
//! plus a handle on the whole frame, read only when the head cannot settle the packet.
#![cfg(not(target_arch = "wasm32"))]
// Test code: a failed step should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod support;

use std::cell::Cell;
use std::rc::Rc;

use socketio_wasm::protocol::client::{
    Client, ManagerEvent, Output, PacketReport, Settings, SocketId,
};
use socketio_wasm::protocol::engine::{Command, TransportId};
use socketio_wasm::protocol::payload::Payload;
use socketio_wasm::protocol::socket::{
    Auth, EmitFlags, Inbound, JsonSpan, Outbound, SocketEvent, SocketOptions, TextIndex,
};
use socketio_wasm::protocol::socket_packet::NameCheck;
use socketio_wasm::protocol::{DecodeError, Instant};
use support::{head_of, websocket_only, OPEN};

/// A frame as the driver keeps it: its text, whether it can be read back, and a count of the
/// times the core read it.
#[derive(Debug, Clone)]
struct Frame {
    text: String,
    readable: bool,
    reads: Rc<Cell<usize>>,
}

impl PartialEq for Frame {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Payload for Frame {
    fn from_bytes(bytes: &[u8]) -> Self {
        Frame {
            text: format!("{bytes:?}"),
            readable: true,
            reads: Rc::default(),
        }
    }

    fn wire_len(&self) -> usize {
        self.text.len()
    }

    fn text(&self) -> Option<String> {
        self.reads.set(self.reads.get() + 1);
        self.readable.then(|| self.text.clone())
    }
}

const NAMESPACES: [&str; 3] = ["/", "/admin", "/ü😀"];

/// A connection with a socket connected on each of [`NAMESPACES`], and an ack awaited on
/// `/admin` (wire id 0), its outputs drained.
struct Session {
    client: Client<Frame>,
    transport: TransportId,
    sockets: Vec<SocketId>,
    reads: Rc<Cell<usize>>,
}

impl Session {
    fn new() -> Self {
        let settings = Settings {
            reconnection: false,
            ..Settings::default()
        };
        let mut client = Client::new(websocket_only(), settings, 7);
        client.report_packets(true);
        let sockets: Vec<SocketId> = NAMESPACES
            .iter()
            .map(|nsp| client.socket(nsp, Auth::Fixed(None), SocketOptions::default()))
            .collect();
        for id in &sockets {
            client.connect(at(), *id);
        }
        let transport = std::iter::from_fn(|| client.poll_output())
            .find_map(|output| match output {
                Output::Transport(Command::Open { id, .. }) => Some(id),
                _ => None,
            })
            .unwrap();
        let mut session = Self {
            client,
            transport,
            sockets,
            reads: Rc::default(),
        };
        session.receive_whole(OPEN);
        for nsp in NAMESPACES {
            let prefix = if nsp == "/" {
                "40".into()
            } else {
                format!("40{nsp},")
            };
            session.receive_whole(&format!(r#"{prefix}{{"sid":"s"}}"#));
        }
        let ask = Outbound {
            data: session.frame("[\"ask\"]", true),
            attachments: vec![],
        };
        let flags = EmitFlags {
            ack: true,
            ..EmitFlags::default()
        };
        session.client.emit(at(), session.sockets[1], ask, flags);
        session.drain();
        session.reads.set(0);
        session
    }

    fn frame(&self, text: &str, readable: bool) -> Frame {
        Frame {
            text: text.to_owned(),
            readable,
            reads: self.reads.clone(),
        }
    }

    fn receive_whole(&mut self, text: &str) {
        self.receive_head(text, usize::MAX, true);
    }

    /// `text` handed in with a head of `units` UTF-16 units.
    fn receive_head(&mut self, text: &str, units: usize, readable: bool) -> Vec<Output<Frame>> {
        let handle = self.frame(text, readable);
        let head = head_of(text, units);
        self.client.handle_text(at(), self.transport, &head, handle);
        self.drain()
    }

    fn receive_binary(&mut self, data: &str) -> Vec<Output<Frame>> {
        let data = self.frame(data, true);
        self.client.handle_binary(at(), self.transport, data);
        self.drain()
    }

    fn drain(&mut self) -> Vec<Output<Frame>> {
        std::iter::from_fn(|| self.client.poll_output()).collect()
    }
}

/// The outputs with the name checks of their spans (events, acks, packet reports) taken out (set to
/// `Unchecked`), and those checks in order.
fn name_checks_apart(mut outputs: Vec<Output<Frame>>) -> (Vec<Output<Frame>>, Vec<NameCheck>) {
    let mut checks = Vec::new();
    for output in &mut outputs {
        let span = match output {
            Output::Socket(_, SocketEvent::Event(inbound)) => &mut inbound.data,
            Output::Socket(_, SocketEvent::Ack { reply, .. }) => &mut reply.data,
            Output::Manager(ManagerEvent::Packet(PacketReport {
                data: Some(span), ..
            })) => span,
            _ => continue,
        };
        checks.push(std::mem::take(&mut span.name));
    }
    (outputs, checks)
}

fn at() -> Instant {
    Instant::from_millis(1)
}

fn events(outputs: &[Output<Frame>]) -> Vec<Inbound<Frame>> {
    outputs
        .iter()
        .filter_map(|output| match output {
            Output::Socket(_, SocketEvent::Event(inbound)) => Some(inbound.clone()),
            _ => None,
        })
        .collect()
}

fn parse_error(outputs: &[Output<Frame>]) -> Option<String> {
    outputs.iter().find_map(|output| match output {
        Output::Socket(
            _,
            SocketEvent::Disconnect {
                reason,
                details: Some(details),
            },
        ) if reason.as_str() == "parse error" => Some(details.description().to_owned()),
        _ => None,
    })
}

fn index(text: &str) -> TextIndex {
    TextIndex {
        bytes: text.len(),
        utf16: text.encode_utf16().count(),
    }
}

#[test]
fn a_long_event_is_delivered_from_its_head_alone() {
    let mut session = Session::new();
    let json = format!(r#"["long","{}"]"#, "x".repeat(1000));
    let text = format!("42/admin,17{json}");
    let outputs = session.receive_head(&text, 128, false);
    assert_eq!(session.reads.get(), 0, "the whole text was never read");
    let event = &events(&outputs)[0];
    assert_eq!(event.ack_id, Some(17));
    assert_eq!(event.data.start, index("42/admin,17"));
    assert_eq!(event.data.end, None);
    assert_eq!(event.data.frame.text, text);
    assert_eq!(&text[event.data.start.bytes..], json);
}

#[test]
fn a_non_ascii_namespace_gives_the_span_in_utf16_units_from_the_head() {
    let mut session = Session::new();
    let json = format!(r#"["é","{}"]"#, "😀".repeat(200));
    let text = format!("42/ü😀,{json}");
    let outputs = session.receive_head(&text, 128, false);
    assert_eq!(session.reads.get(), 0);
    let span: &JsonSpan<Frame> = &events(&outputs)[0].data;
    // 4 2 / ü 😀(2 units, 4 bytes) ,
    assert_eq!(
        span.start,
        TextIndex {
            bytes: 10,
            utf16: 7
        }
    );
    assert_eq!(span.end, None);
    let units: Vec<u16> = text.encode_utf16().collect();
    assert_eq!(
        String::from_utf16(&units[span.start.utf16..]).unwrap(),
        json
    );
}

#[test]
#[cfg(feature = "binary")]
fn acks_and_binary_events_are_settled_by_their_heads() {
    let mut session = Session::new();
    let outputs = session.receive_head(r#"43/admin,0["reply"]"#, 128, false);
    assert!(
        outputs
            .iter()
            .any(|output| matches!(output, Output::Socket(_, SocketEvent::Ack { .. }))),
        "{outputs:?}"
    );
    let text = r#"451-/admin,["bin",{"_placeholder":true,"num":0}]"#;
    assert_eq!(events(&session.receive_head(text, 16, false)), []);
    let outputs = session.receive_binary("bytes");
    let event = &events(&outputs)[0];
    assert_eq!(event.data.start, index("451-/admin,"));
    assert_eq!(event.attachments, [session.frame("bytes", true)]);
    assert_eq!(session.reads.get(), 0);
}

/// Heads cut anywhere (inside the attachment count, the namespace, the ack id, the JSON, a
/// surrogate pair) give exactly what the whole frame gives; the cut ones inside the header by
/// reading the whole text.
#[test]
fn every_cut_gives_the_same_outputs_as_the_whole_frame() {
    let long = "y".repeat(150);
    let frames = [
        r#"42["message",1]"#.to_owned(),
        format!(r#"42/admin,17["long","{long}"]"#),
        format!(r#"42/ü😀,123["é","{}"]"#, "😀".repeat(80)),
        r#"452-/admin,9["bin",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#
            .to_owned(),
        r#"43/admin,0["reply"]"#.to_owned(),
        r#"461-/ü😀,0[{"_placeholder":true,"num":0}]"#.to_owned(),
        r#"42["connect"]"#.to_owned(),
        r#"42{}"#.to_owned(),
        r#"40/admin,{"sid":"again"}"#.to_owned(),
        format!(r#"44/admin,{{"message":"{long}"}}"#),
        "41/admin,".to_owned(),
        "2".to_owned(),
        "6".to_owned(),
        "1".to_owned(),
        "42".to_owned(),
        "451-".to_owned(),
        "42/admin".to_owned(),
        r#"42/admin,99999999999999999999["x"]"#.to_owned(),
        r#"4511-["x"]"#.to_owned(),
        "9".to_owned(),
    ];
    for text in &frames {
        let mut whole = Session::new();
        let mut expected = whole.receive_head(text, usize::MAX, true);
        expected.extend(whole.receive_binary("a"));
        expected.extend(whole.receive_binary("b"));
        let (expected, expected_checks) = name_checks_apart(expected);
        for units in 0..=text.encode_utf16().count() {
            let mut cut = Session::new();
            let mut outputs = cut.receive_head(text, units, true);
            outputs.extend(cut.receive_binary("a"));
            outputs.extend(cut.receive_binary("b"));
            let (outputs, checks) = name_checks_apart(outputs);
            assert_eq!(outputs, expected, "{text} cut after {units} units");
            // A cut head may leave a name unchecked, never checked otherwise.
            for (check, whole) in checks.iter().zip(&expected_checks) {
                assert!(
                    *check == NameCheck::Unchecked || check == whole,
                    "{text} cut after {units} units: {check:?}, the whole frame {whole:?}"
                );
            }
        }
    }
}

#[test]
fn heads_cut_inside_the_header_read_the_whole_text() {
    let cases = [
        (r#"452-/admin,9["bin"]"#, r#"452-/admin,9"#),
        (r#"42/ü😀,123["é"]"#, "42/ü😀,123"),
    ];
    // Without binary attachments a binary packet is a parse error, however it is read.
    let binary = |text: &str| text.starts_with("45");
    for (text, header) in cases
        .into_iter()
        .filter(|(text, _)| cfg!(feature = "binary") || !binary(text))
    {
        for units in 0..=header.encode_utf16().count() {
            let mut session = Session::new();
            session.receive_head(text, units, true);
            assert_eq!(session.reads.get(), 1, "{text} cut after {units} units");
        }
        let mut session = Session::new();
        session.receive_head(text, header.encode_utf16().count() + 1, true);
        assert_eq!(session.reads.get(), 0, "{text}: the header is whole");
    }
}

#[test]
fn other_packets_given_as_heads_read_the_whole_text() {
    let mut session = Session::new();
    let outputs = session.receive_head("2", 0, true);
    assert!(outputs.iter().any(|output| matches!(
        output,
        Output::Transport(Command::Send(_, frame)) if format!("{frame:?}").contains("\"3\"")
    )));
    let outputs = session.receive_head(r#"44/admin,{"message":"no"}"#, 12, true);
    assert!(outputs
        .iter()
        .any(|output| matches!(output, Output::Socket(_, SocketEvent::ConnectError(_)))));
    let outputs = session.receive_head(r#"40/ü😀,{"sid":"again"}"#, 5, true);
    assert!(outputs.iter().any(|output| matches!(
        output,
        Output::Socket(_, SocketEvent::Connect { sid, .. }) if sid == "again"
    )));
    assert_eq!(session.reads.get(), 3);
}

#[test]
fn a_head_whose_frame_has_no_text_is_a_parse_error() {
    for (text, units) in [("2", 128), (r#"42/admin,1["x"]"#, 8), ("42", 128)] {
        let mut session = Session::new();
        let outputs = session.receive_head(text, units, false);
        assert_eq!(
            parse_error(&outputs).as_deref(),
            Some(DecodeError::NotText.as_str()),
            "{text}: {outputs:?}"
        );
    }
}
