//! Engine.IO codecs on arbitrary text: a polling payload split and decoded packet by packet, a
//! WebSocket frame, the open packet's JSON, base64. None may panic; what decodes must encode
//! back to what decodes the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use socketio_wasm::protocol::base64;
use socketio_wasm::protocol::engine_packet::{
    decode_handshake, decode_packet, decode_payload, decode_text, PayloadPacket, PayloadWriter,
};

fuzz_target!(|data: &[u8]| {
    let bytes_round_trip = base64::decode(&base64::encode(data));
    assert_eq!(bytes_round_trip.as_deref(), Ok(data));

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut writer = PayloadWriter::new();
    for packet in decode_payload(text) {
        match packet {
            Ok(PayloadPacket::Text(packet)) => writer.push_text(packet.kind, packet.data),
            Ok(PayloadPacket::Binary(bytes)) => writer.push_binary(&bytes),
            Err(_) => break,
        }
    }
    // What decoded re-encodes to a body that decodes to the same packets.
    let body = writer.finish();
    let again: Vec<_> = decode_payload(&body).collect();
    let first: Vec<_> = decode_payload(text).take(again.len()).collect();
    if !body.is_empty() {
        assert_eq!(again, first);
    }

    if let Ok(decoded) = base64::decode(text) {
        assert_eq!(base64::decode(&base64::encode(&decoded)), Ok(decoded));
    }
    let _ = decode_packet(text);
    if let Ok(packet) = decode_text(text) {
        let _ = decode_handshake(packet.data);
    }
    let _ = decode_handshake(text);
});
