// Probes one address from inside a namespace. argv[2] is JSON {host, tcp: [ports], udp: [ports], timeoutMs}. A TCP
// port is open when the handshake completes; a UDP port is open when the echo server's reply comes back (datagrams
// are re-sent, so one lost packet does not read as closed). Prints {"tcp": {port: bool}, "udp": {port: bool}}.
import dgram from 'node:dgram'
import net from 'node:net'

const { host, tcp = [], udp = [], timeoutMs = 1500 } = JSON.parse(process.argv[2])
const family = net.isIPv6(host) ? 'udp6' : 'udp4'

function probeTcp(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (open) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(open)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

function probeUdp(port) {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(family)
    const payload = Buffer.from(`probe ${port}`)
    const send = () => socket.send(payload, port, host, () => {})
    const done = (open) => {
      clearTimeout(timer)
      clearInterval(resend)
      socket.close()
      resolve(open)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    const resend = setInterval(send, 250)
    socket.on('message', (message) => {
      if (message.equals(payload)) done(true)
    })
    socket.on('error', () => {})
    send()
  })
}

const entries = async (ports, probe) =>
  Object.fromEntries(await Promise.all(ports.map(async (p) => [p, await probe(p)])))
const [tcpResult, udpResult] = await Promise.all([entries(tcp, probeTcp), entries(udp, probeUdp)])
process.stdout.write(`${JSON.stringify({ tcp: tcpResult, udp: udpResult })}\n`)
