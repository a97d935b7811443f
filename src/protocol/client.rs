//! The connection: one Engine.IO session multiplexing namespace sockets (socket.io-client's
//! `Manager`), as a sans-IO state machine.
//!
//! The driver calls `handle_*` with what happened and `now`, then drains [`Client::poll_output`]
//! until it returns `None`, and arms one timer for [`Client::poll_timeout`]. Outputs come in the
//! order they must be acted on: a DISCONNECT frame is transmitted before the transport closes.

use std::collections::VecDeque;

use super::engine::{CloseReason, EngineSession, Frame, Received};
use super::socket::{
    ConnectError, DisconnectReason, Inbound, JsonSpan, NamespaceSocket, Outbound, SocketEvent,
};
use super::socket_packet::{self, Header, PacketKind};
use super::{json, DecodeError, Instant};

/// Names one socket on this connection; stays unique for the connection's lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SocketId(u32);

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output<P> {
    /// Open a transport to the server.
    OpenTransport,
    /// Write this frame on the open transport.
    Transmit(Frame<P>),
    /// Close the transport (if it is still open) and forget it.
    CloseTransport,
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

/// One connection to a Socket.IO server and the namespace sockets that share it.
#[derive(Debug)]
pub struct Client<P> {
    engine: Option<EngineSession<P>>,
    sockets: Vec<(SocketId, NamespaceSocket<P>)>,
    next_socket: u32,
    pending_binary: Option<PendingBinary<P>>,
    outputs: VecDeque<Output<P>>,
}

impl<P: Clone> Default for Client<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: Clone> Client<P> {
    /// A client with no connection yet; the first [`connect`](Self::connect) opens one.
    pub fn new() -> Self {
        Self {
            engine: None,
            sockets: Vec::new(),
            next_socket: 0,
            pending_binary: None,
            outputs: VecDeque::new(),
        }
    }

    /// Starts connecting a socket to `nsp`, opening the connection if there is none.
    /// `auth` is the CONNECT payload: a JSON object.
    pub fn connect(&mut self, now: Instant, nsp: &str, auth: Option<P>) -> SocketId {
        let id = SocketId(self.next_socket);
        self.next_socket = self.next_socket.wrapping_add(1);
        let socket = NamespaceSocket::new(nsp, auth);
        match &mut self.engine {
            Some(engine) if engine.is_open() => engine.send(socket.connect_frame()),
            Some(_) => {}
            None => {
                self.engine = Some(EngineSession::new());
                self.outputs.push_back(Output::OpenTransport);
            }
        }
        self.sockets.push((id, socket));
        self.flush(now);
        id
    }

    /// Disconnects a socket; the last one out closes the connection.
    pub fn disconnect(&mut self, now: Instant, id: SocketId) {
        let Some(socket) = self.remove_socket(id) else {
            return;
        };
        if socket.is_connected() {
            self.send(socket.disconnect_frame());
            self.notify(id, disconnected(DisconnectReason::IoClientDisconnect, None));
        }
        self.flush(now);
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
        for frame in frames {
            self.send(frame);
        }
        self.flush(now);
        true
    }

    /// A text frame arrived; `handle` is the same frame as the driver keeps it (a JS string).
    pub fn handle_text(&mut self, now: Instant, text: &str, handle: P) {
        let Some(engine) = &mut self.engine else {
            return;
        };
        match engine.handle_text(now, text) {
            Ok(Received::Opened) => self.on_opened(),
            Ok(Received::Message(data, offset)) => {
                if let Err(error) = self.on_packet(text, data, offset, handle) {
                    self.close(CloseReason::ParseError, Some(error.as_str()));
                }
            }
            Ok(Received::Closed(reason)) => self.close(reason, None),
            Ok(Received::Nothing) => {}
            Err(error) => self.close(CloseReason::ParseError, Some(error.as_str())),
        }
        self.flush(now);
    }

    /// A binary frame arrived: the next attachment of the binary packet being received.
    pub fn handle_binary(&mut self, now: Instant, data: P) {
        let Some(engine) = &mut self.engine else {
            return;
        };
        if let Err(error) = engine
            .handle_binary()
            .and_then(|()| self.on_attachment(data))
        {
            self.close(CloseReason::ParseError, Some(error.as_str()));
        }
        self.flush(now);
    }

    /// The transport closed or failed on its own.
    pub fn handle_transport_close(&mut self, reason: CloseReason, description: Option<&str>) {
        if self.engine.is_some() {
            self.close(reason, description);
        }
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

    fn on_opened(&mut self) {
        let frames: Vec<Frame<P>> = self
            .sockets
            .iter()
            .filter(|(_, socket)| !socket.is_connected())
            .map(|(_, socket)| socket.connect_frame())
            .collect();
        for frame in frames {
            self.send(frame);
        }
    }

    fn on_packet(
        &mut self,
        text: &str,
        data: &str,
        offset: usize,
        handle: P,
    ) -> Result<(), DecodeError> {
        if self.pending_binary.is_some() {
            // A text packet in the middle of a binary packet's attachments.
            return Err(DecodeError::UnexpectedBinary);
        }
        let packet = socket_packet::decode(data)?;
        let header = packet.header;
        let span = json_span(text, offset + header.data_start, handle);
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
        for frame in frames {
            self.send(frame);
        }
    }

    /// Ends the connection: every socket on it is told why, and forgotten.
    fn close(&mut self, reason: CloseReason, description: Option<&str>) {
        let Some(mut engine) = self.engine.take() else {
            return;
        };
        let was_open = engine.handshake().is_some();
        engine.close();
        self.pending_binary = None;
        self.outputs.push_back(Output::CloseTransport);
        for (id, socket) in core::mem::take(&mut self.sockets) {
            let event = if socket.is_connected() {
                disconnected(reason.into(), description)
            } else if was_open {
                SocketEvent::ConnectError(ConnectError::Transport(reason.as_str()))
            } else {
                SocketEvent::ConnectError(ConnectError::Transport("websocket error"))
            };
            self.notify(id, event);
        }
    }

    /// Moves frames the engine is ready to write into the outputs, after checking that the
    /// heartbeat deadline has not silently passed.
    fn flush(&mut self, now: Instant) {
        let Some(engine) = &mut self.engine else {
            return;
        };
        if let Some(reason) = engine.check_heartbeat(now) {
            self.close(reason, None);
            return;
        }
        self.move_transmits();
    }

    /// Queues a frame and moves what the engine can write into the outputs at once, so that
    /// frames and socket events come out in the order they happened.
    fn send(&mut self, frame: Frame<P>) {
        if let Some(engine) = &mut self.engine {
            engine.send(frame);
            self.move_transmits();
        }
    }

    fn move_transmits(&mut self) {
        let Some(engine) = &mut self.engine else {
            return;
        };
        while let Some(frame) = engine.poll_transmit() {
            self.outputs.push_back(Output::Transmit(frame));
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

/// Where the JSON starts in `text`, in bytes and in UTF-16 units (only the header is counted).
fn json_span<P>(text: &str, byte_start: usize, frame: P) -> JsonSpan<P> {
    let utf16_start = text
        .get(..byte_start)
        .map_or(byte_start, |head| head.encode_utf16().count());
    JsonSpan {
        frame,
        byte_start,
        utf16_start,
    }
}
