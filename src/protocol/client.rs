//! The connection: one Engine.IO session multiplexing namespace sockets (socket.io-client's
//! `Manager`), as a sans-IO state machine.
//!
//! The driver calls `handle_*` with what happened and `now`, then drains [`Client::poll_output`]
//! until it returns `None`, and arms one timer for [`Client::poll_timeout`]. Outputs come in the
//! order they must be acted on: a DISCONNECT frame is written before the transport closes, and
//! emits buffered before a CONNECT reply go out before the user hears `connect`.

use std::collections::VecDeque;

use super::engine::TransportKind;
use super::engine::{
    CloseReason, Command, EngineConfig, EngineSession, Frame, Received, TransportId,
};
use super::engine_packet::{decode_payload, PayloadPacket, TextPacket};
use super::payload::Payload;
use super::socket::{
    ConnectError, DisconnectReason, Inbound, JsonSpan, NamespaceSocket, Outbound, SocketEvent,
    TransportFailure,
};
use super::socket_packet::{self, Header, PacketKind};
use super::{json, DecodeError, Instant};

/// Names one socket on this connection; stays unique for the connection's lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SocketId(u32);

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output<P> {
    /// Act on a transport.
    Transport(Command<P>),
    /// Tell this socket's user.
    Socket(SocketId, SocketEvent<P>),
}

/// A binary packet whose attachments are still arriving.
#[derive(Debug)]
struct PendingBinary<P> {
    socket: Option<SocketId>,
    inbound: Inbound<P>,
    expected: usize,
}

/// Where a text packet came from, so that its JSON can be located in the driver's string.
struct Source<'a, P> {
    /// The whole frame or polling body.
    text: &'a str,
    /// The driver's handle on `text`.
    handle: P,
    /// UTF-16 position tracking through `text` (polling bodies hold several packets).
    utf16: &'a mut Utf16Cursor,
}

/// One connection to a Socket.IO server and the namespace sockets that share it.
#[derive(Debug)]
pub struct Client<P> {
    config: EngineConfig,
    engine: Option<EngineSession<P>>,
    sockets: Vec<(SocketId, NamespaceSocket<P>)>,
    next_socket: u32,
    pending_binary: Option<PendingBinary<P>>,
    outputs: VecDeque<Output<P>>,
}

impl<P: Payload> Client<P> {
    /// A client with no connection yet; the first [`connect`](Self::connect) opens one.
    pub fn new(config: EngineConfig) -> Self {
        Self {
            config,
            engine: None,
            sockets: Vec::new(),
            next_socket: 0,
            pending_binary: None,
            outputs: VecDeque::new(),
        }
    }

    /// The Engine.IO session id, once the handshake is done.
    pub fn sid(&self) -> Option<String> {
        self.engine
            .as_ref()?
            .handshake()
            .map(|handshake| handshake.sid.clone())
    }

    /// The transport the connection runs on, while there is one.
    pub fn transport(&self) -> Option<TransportKind> {
        self.engine.as_ref().map(EngineSession::transport)
    }

    /// Starts connecting a socket to `nsp`, opening the connection if there is none.
    /// `auth` is the CONNECT payload: a JSON object.
    pub fn connect(&mut self, now: Instant, nsp: &str, auth: Option<P>) -> SocketId {
        self.flush(now);
        let id = SocketId(self.next_socket);
        self.next_socket = self.next_socket.wrapping_add(1);
        let socket = NamespaceSocket::new(nsp, auth);
        let frame = socket.connect_frame();
        self.sockets.push((id, socket));
        match &self.engine {
            Some(engine) if engine.is_open() => self.send([frame]),
            Some(_) => {}
            None => {
                self.engine = Some(EngineSession::new(self.config.clone()));
                self.move_commands();
            }
        }
        id
    }

    /// Disconnects a socket; the last one out closes the connection.
    pub fn disconnect(&mut self, now: Instant, id: SocketId) {
        self.flush(now);
        let Some(socket) = self.remove_socket(id) else {
            return;
        };
        if socket.is_connected() {
            self.send([socket.disconnect_frame()]);
            self.notify(id, disconnected(DisconnectReason::IoClientDisconnect, None));
        }
        if self.sockets.is_empty() {
            self.close(CloseReason::ForcedClose, None);
        }
    }

    /// Emits an event on a socket, or buffers it until the socket is connected.
    /// Returns false when the socket is not (or no longer) on this connection.
    pub fn emit(&mut self, now: Instant, id: SocketId, event: Outbound<P>) -> bool {
        // A connection whose heartbeat silently expired (throttled timers) closes before writing.
        self.flush(now);
        let Some(socket) = self.socket_mut(id) else {
            return false;
        };
        if !socket.is_connected() {
            socket.buffer(event);
            return true;
        }
        let frames: Vec<Frame<P>> = socket.event_frames(event).collect();
        self.send(frames);
        true
    }

    /// A WebSocket text frame arrived on transport `id`; `handle` is the same frame as the driver
    /// keeps it (a JS string).
    pub fn handle_text(&mut self, now: Instant, id: TransportId, text: &str, handle: P) {
        let mut utf16 = Utf16Cursor::default();
        let source = Source {
            text,
            handle,
            utf16: &mut utf16,
        };
        let result = match super::engine_packet::decode_text(text) {
            Ok(packet) => self.on_engine_packet(now, id, packet, source),
            Err(error) => Err(error),
        };
        self.finish_input(now, result);
    }

    /// A long-polling GET on transport `id` returned `body` (`handle` is the driver's copy).
    pub fn handle_poll_response(&mut self, now: Instant, id: TransportId, body: &str, handle: P) {
        let mut utf16 = Utf16Cursor::default();
        let mut result = Ok(());
        for packet in decode_payload(body) {
            result = match packet {
                Ok(PayloadPacket::Text(packet)) => {
                    let source = Source {
                        text: body,
                        handle: handle.clone(),
                        utf16: &mut utf16,
                    };
                    self.on_engine_packet(now, id, packet, source)
                }
                Ok(PayloadPacket::Binary(bytes)) => self.on_binary(id, P::from_bytes(&bytes)),
                Err(error) => Err(error),
            };
            if result.is_err() || self.engine.is_none() {
                break;
            }
        }
        if let Some(engine) = &mut self.engine {
            engine.handle_poll_done(id);
        }
        self.finish_input(now, result);
    }

    /// A binary frame arrived: the next attachment of the binary packet being received.
    pub fn handle_binary(&mut self, now: Instant, id: TransportId, data: P) {
        let result = self.on_binary(id, data);
        self.finish_input(now, result);
    }

    /// A long-polling POST on transport `id` succeeded.
    pub fn handle_post_done(&mut self, now: Instant, id: TransportId) {
        if let Some(engine) = &mut self.engine {
            engine.handle_post_done(id);
        }
        self.finish_input(now, Ok(()));
    }

    /// Transport `id` opened (a WebSocket's `open` event).
    pub fn handle_transport_open(&mut self, now: Instant, id: TransportId) {
        if let Some(engine) = &mut self.engine {
            engine.handle_transport_open(id);
        }
        self.finish_input(now, Ok(()));
    }

    /// Transport `id` failed (a request error, a WebSocket `error`).
    pub fn handle_transport_error(
        &mut self,
        now: Instant,
        id: TransportId,
        failure: TransportFailure<P>,
    ) {
        self.transport_lost(now, id, CloseReason::TransportError, failure);
    }

    /// Transport `id` closed on its own (a WebSocket `close` without an error before it).
    pub fn handle_transport_close(&mut self, now: Instant, id: TransportId) {
        let failure = TransportFailure {
            message: "websocket error",
            status: None,
            context: None,
        };
        self.transport_lost(now, id, CloseReason::TransportClose, failure);
    }

    /// The timer armed for [`poll_timeout`](Self::poll_timeout) fired.
    pub fn handle_timeout(&mut self, now: Instant) {
        let expired = self
            .engine
            .as_mut()
            .and_then(|engine| engine.handle_timeout(now));
        if let Some(reason) = expired {
            self.close(reason, None);
        }
    }

    /// When the client next needs [`handle_timeout`](Self::handle_timeout).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.engine.as_ref().and_then(EngineSession::poll_timeout)
    }

    /// The next thing the driver must do.
    pub fn poll_output(&mut self) -> Option<Output<P>> {
        self.outputs.pop_front()
    }

    /// Whether this socket is on the connection (connecting or connected).
    pub fn has_socket(&self, id: SocketId) -> bool {
        self.sockets.iter().any(|(known, _)| *known == id)
    }

    fn transport_lost(
        &mut self,
        now: Instant,
        id: TransportId,
        reason: CloseReason,
        failure: TransportFailure<P>,
    ) {
        let closed = self
            .engine
            .as_mut()
            .is_some_and(|engine| engine.handle_transport_lost(id));
        if closed {
            self.close_with(reason, Some(failure), None);
        }
        self.finish_input(now, Ok(()));
    }

    /// Ends an input: a decode error closes with `parse error`; commands reach the outputs.
    fn finish_input(&mut self, now: Instant, result: Result<(), DecodeError>) {
        if let Err(error) = result {
            self.close(CloseReason::ParseError, Some(error.as_str()));
        }
        self.flush(now);
    }

    fn on_engine_packet(
        &mut self,
        now: Instant,
        id: TransportId,
        packet: TextPacket<'_>,
        source: Source<'_, P>,
    ) -> Result<(), DecodeError> {
        let Some(engine) = &mut self.engine else {
            return Ok(());
        };
        match engine.handle_packet(now, id, packet)? {
            Received::Opened => self.on_opened(),
            Received::Message(data) => self.on_packet(data, source)?,
            Received::Closed(reason) => self.close(reason, None),
            Received::Nothing => {}
        }
        self.move_commands();
        Ok(())
    }

    fn on_binary(&mut self, id: TransportId, data: P) -> Result<(), DecodeError> {
        let Some(engine) = &mut self.engine else {
            return Ok(());
        };
        if engine.handle_binary(id)? {
            self.on_attachment(data)?;
        }
        Ok(())
    }

    fn on_opened(&mut self) {
        let frames: Vec<Frame<P>> = self
            .sockets
            .iter()
            .filter(|(_, socket)| !socket.is_connected())
            .map(|(_, socket)| socket.connect_frame())
            .collect();
        self.send(frames);
    }

    fn on_packet(&mut self, data: &str, source: Source<'_, P>) -> Result<(), DecodeError> {
        if self.pending_binary.is_some() {
            // A text packet in the middle of a binary packet's attachments.
            return Err(DecodeError::UnexpectedBinary);
        }
        let packet = socket_packet::decode(data)?;
        let header = packet.header;
        let start = offset_in(source.text, data) + header.data_start;
        let end = offset_in(source.text, data) + data.len();
        let span = JsonSpan {
            utf16: source.utf16.advance(source.text, start)..source.utf16.advance(source.text, end),
            bytes: start..end,
            frame: source.handle,
        };
        let target = self.socket_for(header.nsp);
        match header.kind {
            PacketKind::Connect => self.on_connect_reply(target, packet.data.unwrap_or("")),
            PacketKind::ConnectError => self.on_refused(target, span),
            PacketKind::Disconnect => self.on_server_disconnect(target),
            PacketKind::Event => self.deliver(
                target,
                Inbound {
                    ack_id: header.id,
                    data: span,
                    attachments: Vec::new(),
                },
            ),
            PacketKind::BinaryEvent | PacketKind::BinaryAck => {
                self.await_attachments(target, &header, span)
            }
            PacketKind::Ack => {}
        }
        Ok(())
    }

    fn on_connect_reply(&mut self, target: Option<SocketId>, payload: &str) {
        let Some(id) = target else { return };
        let sid = json::string_member(payload, "sid").ok().flatten();
        let Some(sid) = sid else {
            self.remove_socket(id);
            self.notify(
                id,
                SocketEvent::ConnectError(ConnectError::IncompatibleServer),
            );
            return;
        };
        let sid = sid.into_owned();
        let released = match self.socket_mut(id) {
            Some(socket) => socket.on_connected(sid.clone()),
            None => return,
        };
        for event in released {
            self.emit_now(id, event);
        }
        self.notify(id, SocketEvent::Connect { sid });
    }

    fn on_refused(&mut self, target: Option<SocketId>, span: JsonSpan<P>) {
        let Some(id) = target else { return };
        self.remove_socket(id);
        self.notify(id, SocketEvent::ConnectError(ConnectError::Refused(span)));
    }

    fn on_server_disconnect(&mut self, target: Option<SocketId>) {
        let Some(id) = target else { return };
        self.remove_socket(id);
        self.notify(id, disconnected(DisconnectReason::IoServerDisconnect, None));
        if self.sockets.is_empty() {
            self.close(CloseReason::ForcedClose, None);
        }
    }

    fn await_attachments(
        &mut self,
        target: Option<SocketId>,
        header: &Header<'_>,
        span: JsonSpan<P>,
    ) {
        // Binary acks are read (their attachments must be consumed) but not delivered yet.
        let socket = target.filter(|_| header.kind == PacketKind::BinaryEvent);
        let pending = PendingBinary {
            socket,
            inbound: Inbound {
                ack_id: header.id,
                data: span,
                attachments: Vec::with_capacity(header.attachments),
            },
            expected: header.attachments,
        };
        self.complete_or_wait(pending);
    }

    fn on_attachment(&mut self, data: P) -> Result<(), DecodeError> {
        let mut pending = self
            .pending_binary
            .take()
            .ok_or(DecodeError::UnexpectedBinary)?;
        pending.inbound.attachments.push(data);
        self.complete_or_wait(pending);
        Ok(())
    }

    fn complete_or_wait(&mut self, pending: PendingBinary<P>) {
        if pending.inbound.attachments.len() < pending.expected {
            self.pending_binary = Some(pending);
        } else {
            self.deliver(pending.socket, pending.inbound);
        }
    }

    fn deliver(&mut self, target: Option<SocketId>, inbound: Inbound<P>) {
        let Some(id) = target else { return };
        if self
            .socket_mut(id)
            .is_some_and(|socket| socket.is_connected())
        {
            self.notify(id, SocketEvent::Event(inbound));
        }
    }

    fn emit_now(&mut self, id: SocketId, event: Outbound<P>) {
        let frames: Vec<Frame<P>> = match self.socket_mut(id) {
            Some(socket) => socket.event_frames(event).collect(),
            None => return,
        };
        self.send(frames);
    }

    fn close(&mut self, reason: CloseReason, description: Option<&str>) {
        self.close_with(reason, None, description);
    }

    /// Ends the connection: every socket on it is told why, and forgotten.
    fn close_with(
        &mut self,
        reason: CloseReason,
        failure: Option<TransportFailure<P>>,
        description: Option<&str>,
    ) {
        let Some(mut engine) = self.engine.take() else {
            return;
        };
        let was_open = engine.handshake().is_some();
        engine.close();
        while let Some(command) = engine.poll_command() {
            self.outputs.push_back(Output::Transport(command));
        }
        self.pending_binary = None;
        let description = description.or(failure.as_ref().map(|failure| failure.message));
        for (id, socket) in core::mem::take(&mut self.sockets) {
            let event = match (socket.is_connected(), was_open) {
                (true, _) => disconnected(reason.into(), description),
                (false, true) => {
                    SocketEvent::ConnectError(ConnectError::Transport(TransportFailure {
                        message: reason.as_str(),
                        status: None,
                        context: None,
                    }))
                }
                (false, false) => SocketEvent::ConnectError(ConnectError::Transport(
                    failure.clone().unwrap_or(TransportFailure {
                        message: reason.as_str(),
                        status: None,
                        context: None,
                    }),
                )),
            };
            self.notify(id, event);
        }
    }

    /// Checks that the heartbeat deadline has not silently passed, and moves the engine's
    /// commands into the outputs.
    fn flush(&mut self, now: Instant) {
        let Some(engine) = &mut self.engine else {
            return;
        };
        if let Some(reason) = engine.check_heartbeat(now) {
            self.close(reason, None);
            return;
        }
        self.move_commands();
    }

    /// Queues frames and moves the engine's commands into the outputs at once, so that frames
    /// and socket events come out in the order they happened.
    fn send(&mut self, frames: impl IntoIterator<Item = Frame<P>>) {
        if let Some(engine) = &mut self.engine {
            engine.send(frames);
            self.move_commands();
        }
    }

    fn move_commands(&mut self) {
        let Some(engine) = &mut self.engine else {
            return;
        };
        while let Some(command) = engine.poll_command() {
            self.outputs.push_back(Output::Transport(command));
        }
    }

    fn notify(&mut self, id: SocketId, event: SocketEvent<P>) {
        self.outputs.push_back(Output::Socket(id, event));
    }

    fn socket_for(&self, nsp: &str) -> Option<SocketId> {
        self.sockets
            .iter()
            .find(|(_, socket)| socket.nsp() == nsp)
            .map(|(id, _)| *id)
    }

    fn socket_mut(&mut self, id: SocketId) -> Option<&mut NamespaceSocket<P>> {
        self.sockets
            .iter_mut()
            .find(|(known, _)| *known == id)
            .map(|(_, socket)| socket)
    }

    fn remove_socket(&mut self, id: SocketId) -> Option<NamespaceSocket<P>> {
        let index = self.sockets.iter().position(|(known, _)| *known == id)?;
        Some(self.sockets.remove(index).1)
    }
}

fn disconnected<P>(reason: DisconnectReason, description: Option<&str>) -> SocketEvent<P> {
    SocketEvent::Disconnect {
        reason,
        description: description.map(str::to_owned),
    }
}

/// The byte offset of `part` inside `whole` (`part` is a slice of `whole`).
fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// Converts byte offsets into UTF-16 offsets moving forward through one text, so a polling body
/// with many packets is counted once, not once per packet. Only non-ASCII text costs anything.
#[derive(Debug, Default)]
struct Utf16Cursor {
    byte: usize,
    units: usize,
}

impl Utf16Cursor {
    fn advance(&mut self, text: &str, to: usize) -> usize {
        if to < self.byte {
            *self = Self::default();
        }
        if let Some(gap) = text.get(self.byte..to) {
            self.units += if gap.is_ascii() {
                gap.len()
            } else {
                gap.encode_utf16().count()
            };
            self.byte = to;
        }
        self.units
    }
}
