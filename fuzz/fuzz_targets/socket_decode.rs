//! Socket.IO decoding on arbitrary input: the packet decoder and the JSON validator on their
//! own (a header that decodes must encode back to the same header), then a connected client
//! receiving a packet and its binary attachments, over WebSocket and over long-polling, with
//! the frame's head cut anywhere. Nothing may panic, and the client must stay consistent.
#![no_main]

mod common;

use common::{config, Harness};
use libfuzzer_sys::fuzz_target;
use socketio_wasm::protocol::base64;
use socketio_wasm::protocol::client::Settings;
use socketio_wasm::protocol::json;
use socketio_wasm::protocol::socket_packet::{decode, decode_header, encode_header};

const OPEN: &str = r#"0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#;

/// The input, from raw bytes so that test vectors are seeds as they are: byte 0 says how it
/// travels (bit 0: long-polling) and which extra namespaces are connected (bits 1-2), byte 1
/// how many UTF-16 units of the frame the core gets as its head, then the packet (without the
/// Engine.IO `4`) and its attachments, separated by 0xFF (a byte UTF-8 never uses).
struct Input {
    polling: bool,
    namespaces: &'static [&'static str],
    head_units: u8,
    packet: String,
    attachments: Vec<Vec<u8>>,
}

const EXTRA_NAMESPACES: [&str; 3] = ["/admin", "/custom", "/x"];

impl Input {
    fn parse(data: &[u8]) -> Option<Self> {
        let (&flags, rest) = data.split_first()?;
        let (&head_units, rest) = rest.split_first()?;
        let mut parts = rest.split(|byte| *byte == 0xFF);
        let packet = String::from_utf8_lossy(parts.next()?).into_owned();
        let extra = usize::from(flags >> 1 & 3);
        Some(Self {
            polling: flags & 1 == 1,
            namespaces: EXTRA_NAMESPACES.get(..extra)?,
            head_units,
            packet,
            attachments: parts.take(8).map(<[u8]>::to_vec).collect(),
        })
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else {
        return;
    };
    check_codec(&input.packet);
    let _ = json::validate(&input.packet);
    if input.polling {
        over_polling(&input);
    } else {
        over_websocket(&input);
    }
});

fn check_codec(text: &str) {
    let _ = decode_header(text);
    let Ok(packet) = decode(text) else {
        return;
    };
    // A payload that is not JSON may itself look like a header ("2/,/,x" is namespace "/" and
    // payload "/,x", which the encoder, leaving "/" out, writes as "2/,x"): only packets a
    // server could mean are compared.
    if packet
        .data
        .is_some_and(|data| json::validate(data).is_err())
    {
        return;
    }
    let header = &packet.header;
    let mut encoded = encode_header(header.kind, header.attachments, header.nsp, header.id);
    encoded.push_str(packet.data.unwrap_or(""));
    let again = decode(&encoded).map(|p| (p.header.kind, p.header.nsp, p.header.id, p.data));
    assert_eq!(
        again,
        Ok((header.kind, header.nsp, header.id, packet.data)),
        "{text:?} re-encoded as {encoded:?}"
    );
}

fn connected(polling: bool, namespaces: &[&str]) -> Option<Harness> {
    let settings = Settings {
        reconnection: false,
        ..Settings::default()
    };
    let mut harness = Harness::new(config(polling, false), settings);
    let root = harness.add_socket("/");
    harness.client.connect(harness.at(), root);
    for nsp in namespaces {
        let id = harness.add_socket(nsp);
        harness.client.connect(harness.at(), id);
    }
    harness.drain();
    let transport = harness.last_transport()?;
    if polling {
        harness.poll_response(transport, &format!("{OPEN}\u{1e}40"));
    } else {
        harness
            .client
            .handle_transport_open(harness.at(), transport);
        harness.drain();
        harness.text(transport, OPEN, 128);
        harness.text(transport, "40", 128);
    }
    Some(harness)
}

fn over_websocket(input: &Input) {
    let Some(mut harness) = connected(false, &input.namespaces) else {
        return;
    };
    let Some(transport) = harness.last_transport() else {
        return;
    };
    let frame = format!("4{}", input.packet);
    harness.text(transport, &frame, usize::from(input.head_units));
    for attachment in &input.attachments {
        harness.binary(transport, attachment);
    }
    harness.advance(60_000);
}

fn over_polling(input: &Input) {
    let Some(mut harness) = connected(true, &input.namespaces) else {
        return;
    };
    let Some(transport) = harness.last_transport() else {
        return;
    };
    let mut body = format!("4{}", input.packet);
    for attachment in &input.attachments {
        body.push('\u{1e}');
        body.push('b');
        body.push_str(&base64::encode(attachment));
    }
    harness.poll_response(transport, &body);
    harness.advance(60_000);
}
