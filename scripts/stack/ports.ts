// Free loopback ports for the stack's servers: ask the kernel for port 0 and give it back.
// Another process could take the port in between; the launcher's readiness probe then fails
// with the server's own log, which names the clash.
import dgram from 'node:dgram';
import net from 'node:net';

export const loopback = '127.0.0.1';

export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, loopback, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.unref();
    socket.once('error', reject);
    socket.bind(0, loopback, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
