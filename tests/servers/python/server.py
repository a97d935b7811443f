"""The server-matrix contract (tests/matrix/) served by python-socketio on aiohttp.

Binds 127.0.0.1 on the port given as the first argument (0: any free port) and prints
`listening <port>` once it accepts connections. Namespaces "/" and "/admin" answer:
  whoami(cb)        -> cb({ id, nsp, transport })
  echo(value)       -> emits "echo" value back (bytes stay binary)
  ack(value, cb)    -> cb(value)
  ask(value, cb)    -> emits "question" value with an ack, then cb(the client's answer)
  disconnect-me     -> the server disconnects the socket
"/private" refuses a handshake whose auth is not { token: "secret" } with "not authorized".
"""

import asyncio
import sys

import socketio
from aiohttp import web

sio = socketio.AsyncServer(
    async_mode="aiohttp", cors_allowed_origins="*", max_http_buffer_size=10_000_000
)


def serve(namespace, refuse=None):
    async def connect(sid, environ, auth=None):
        if refuse and refuse(auth):
            raise socketio.exceptions.ConnectionRefusedError("not authorized")

    async def whoami(sid):
        return {"id": sid, "nsp": namespace, "transport": sio.transport(sid, namespace)}

    async def echo(sid, value=None):
        await sio.emit("echo", value, to=sid, namespace=namespace)

    async def ack(sid, value=None):
        return value

    async def ask(sid, value=None):
        return await sio.call("question", value, to=sid, namespace=namespace, timeout=5)

    async def disconnect_me(sid):
        await sio.disconnect(sid, namespace=namespace)

    sio.on("connect", connect, namespace=namespace)
    for event, handler in [("whoami", whoami), ("echo", echo), ("ack", ack), ("ask", ask),
                           ("disconnect-me", disconnect_me)]:
        sio.on(event, handler, namespace=namespace)


serve("/")
serve("/admin")
serve("/private", refuse=lambda auth: auth != {"token": "secret"})


async def main(port):
    app = web.Application()
    sio.attach(app)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]
    print(f"listening {bound}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
