// Listens on the TCP and UDP ports given as JSON in argv[2], on every address (IPv4 and IPv6), and echoes: a TCP peer
// gets "hello\n" on connect and its own bytes back; a UDP datagram is sent back to its sender. Prints "ready" once
// every socket is bound, so the test knows a failed probe is the firewall and not a missing listener.
import dgram from 'node:dgram'
import net from 'node:net'

const { tcp = [], udp = [] } = JSON.parse(process.argv[2] ?? '{}')
const die = (error) => {
  process.stderr.write(`${error.stack ?? error}\n`)
  process.exit(1)
}
const bound = []
for (const port of tcp) {
  const server = net.createServer((socket) => {
    socket.on('error', () => {})
    socket.write('hello\n')
    socket.pipe(socket)
  })
  server.on('error', die)
  bound.push(new Promise((resolve) => server.listen({ port, host: '::', ipv6Only: false }, resolve)))
}
for (const port of udp) {
  const socket = dgram.createSocket({ type: 'udp6', ipv6Only: false })
  socket.on('error', die)
  socket.on('message', (message, peer) => socket.send(message, peer.port, peer.address))
  bound.push(new Promise((resolve) => socket.bind({ port, address: '::' }, resolve)))
}
Promise.all(bound).then(() => process.stdout.write('ready\n'), die)
