// Holds one TCP connection to argv[2]:argv[3] open. Prints "connected" once the echo server greets it; on SIGUSR2 it
// sends a line and prints "echoed" when the same line comes back, then exits 0. Any error or close exits 1.
import net from 'node:net'

const [host, port] = [process.argv[2], Number(process.argv[3])]
const socket = net.connect({ host, port })
let received = ''
let expecting = null
socket.on('data', (chunk) => {
  received += chunk
  if (received === 'hello\n') process.stdout.write('connected\n')
  if (expecting && received.endsWith(expecting)) {
    process.stdout.write('echoed\n')
    process.exit(0)
  }
})
socket.on('error', (error) => {
  process.stdout.write(`error ${error.code}\n`)
  process.exit(1)
})
socket.on('close', () => {
  process.stdout.write('closed\n')
  process.exit(1)
})
process.on('SIGUSR2', () => {
  expecting = 'after the swap\n'
  socket.write(expecting)
})
