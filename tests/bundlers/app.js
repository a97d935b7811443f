// The bundler tests' app, the same for each bundler: it imports the installed package by name,
// joins the demo chat with a nickname and says hello in the lobby. The page shows what the
// server sent back, for the test to read.
import { io } from "socketio-wasm";

const socket = io();
const nick = document.body.dataset.nick;
socket.on("connect", () => socket.emit("nick", nick));
socket.on("you", (you) => {
  if (you.nick === nick && !document.body.dataset.said) {
    document.body.dataset.said = "1";
    socket.emit("chat", { room: "lobby", text: `hello from ${nick}` });
  }
});
socket.on("chat", (message) => {
  document.body.dataset.chat = JSON.stringify(message);
  document.body.dataset.transport = socket.io.engine.transport.name;
});
