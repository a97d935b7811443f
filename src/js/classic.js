// socketio-wasm as a classic script: `<script src="…/socketio-wasm.js">` defines the global
// `io` (with `io.Manager`, `io.Socket`, `io.protocol`), as socket.io's /socket.io/socket.io.js
// does. The wasm file is fetched from beside the script.
import io from "./index.js";

globalThis.io = io;
