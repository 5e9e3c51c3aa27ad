// The baseline: a bare express hello-world, run as its own process like the bot.
import express from 'express';

const app = express();
app.post('/lark/events', (_req, res) => res.json({}));
const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ message: 'bot started', port: server.address().port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
