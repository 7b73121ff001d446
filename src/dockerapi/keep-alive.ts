// Closing a kept-alive connection only when its client is quiet. Node closes an idle
// connection from a timer keepAliveTimeout (+1 s on Node 20) after its last answer, and
// libuv runs timers after the poll for I/O in each turn of the loop. When one callback holds
// the loop past that time (a listing of tens of thousands of records on a loaded machine),
// a request the client sent meanwhile sits unread in the socket when the timer fires; a
// socket closed with unread bytes makes the kernel send RST, and the docker CLI prints
// "read: connection reset by peer" on a POST it must not retry (containers/create). Here
// the close waits one more turn: that turn's poll reads what arrived, and a connection
// whose client spoke or whose request is still being answered is kept (Node arms the idle
// timer again after the answer; a request left half sent is the headers timeout's business).
import type { Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Socket } from "node:net";

export function closeIdleOnlyWhenQuiet(server: HttpServer | HttpsServer): void {
  const answering = new WeakMap<Socket, number>();
  server.on("request", (req, res) => {
    const s = req.socket;
    answering.set(s, (answering.get(s) ?? 0) + 1);
    res.once("close", () => answering.set(s, (answering.get(s) ?? 1) - 1));
  });
  // A 'timeout' listener replaces Node's own destroy on a socket timeout.
  server.on("timeout", (socket: Socket) => {
    const read = socket.bytesRead;
    setImmediate(() => {
      if (socket.destroyed || socket.bytesRead !== read || (answering.get(socket) ?? 0) > 0) return;
      socket.destroy();
    });
  });
}
