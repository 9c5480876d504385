// A real SMTP server for Drawbridge's end-to-end tests: nodemailer's smtp-server (the
// protocol) and mailparser (MIME decoding) on 127.0.0.1, unprivileged, on the port given.
//
//   node server.js --port 2525
//
// Every message it accepts is printed to stdout as one line,
//   smtp-server message {"envelopeFrom":...,"envelopeTo":[...],"from":...,"to":[...],
//                        "subject":...,"body":...,"html":...,"authenticatedUser":...}
// with the body decoded (transfer encodings, charsets, encoded-word headers); a test reads
// those lines. Nothing is delivered anywhere. Plain SMTP without STARTTLS; AUTH PLAIN and
// LOGIN are offered over plain text and accept any user name and password (the user name
// is reported), and are optional. Prints "smtp-server listening on 127.0.0.1:<port>" when
// ready; errors go to stderr.
import { parseArgs } from 'node:util';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const { values: args } = parseArgs({ options: { port: { type: 'string' } } });
const port = Number(args.port ?? process.env.PORT ?? 0);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  throw new Error('A port is required: --port or PORT.');
}

const server = new SMTPServer({
  name: '127.0.0.1',
  banner: 'Drawbridge test SMTP server',
  disabledCommands: ['STARTTLS'],
  authMethods: ['PLAIN', 'LOGIN'],
  authOptional: true,
  allowInsecureAuth: true,
  // Far above any sign-in e-mail; stops a runaway test from filling memory.
  size: 10 * 1024 * 1024,
  onAuth(auth, _session, callback) {
    callback(null, { user: auth.username });
  },
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        const record = {
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((recipient) => recipient.address),
          from: mail.from?.value[0]?.address ?? '',
          to: (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [])
            .flatMap((list) => list.value.map((address) => address.address)),
          subject: mail.subject ?? '',
          body: mail.text ?? '',
          html: typeof mail.html === 'string' ? mail.html : '',
          authenticatedUser: session.user ?? null,
        };
        process.stdout.write(`smtp-server message ${JSON.stringify(record)}\n`);
        callback();
      })
      .catch((error) => {
        console.error(`smtp-server could not parse a message: ${error.message}`);
        callback(error);
      });
  },
});

let listening = false;
server.on('error', (error) => {
  console.error(`smtp-server error: ${error.message}`);
  // Before listening this is the bind failing (typically the port was taken): exit, so
  // the test sees it at once and retries on another port.
  if (!listening) {
    process.exit(1);
  }
});

server.listen(port, '127.0.0.1', () => {
  listening = true;
  console.log(`smtp-server listening on 127.0.0.1:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
