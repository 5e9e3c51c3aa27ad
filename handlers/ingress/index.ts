/** Lark pushes in: verified events become queued jobs at once; card clicks are answered within Lark's 3 s. */
export { onCardClicked } from './card-clicked.js';
export { onMessageReceived } from './message-received.js';
