import type { FastifyPluginAsync } from 'fastify';
import { html, sendPage } from './html.js';
import type { SandboxState } from './state.js';

/** The SMS outbox: `GET /sandbox/sms` (JSON, newest first, `?to=`) and a page for people. */
export const smsRoutes: FastifyPluginAsync<{ state: SandboxState }> = async (app, { state }) => {
  app.get<{ Querystring: { to?: string } }>('/sandbox/sms', async (request, reply) => {
    const to = typeof request.query.to === 'string' ? request.query.to.replace(/[\s-]/g, '') : undefined;
    return reply
      .type('application/json; charset=utf-8')
      .send({ messages: state.outbox.list(to || undefined) });
  });

  app.get('/sandbox/outbox', async (_request, reply) => {
    const messages = state.outbox.list();
    const rows = messages.map((m) => {
      const link = /https?:\/\/\S+/.exec(m.body)?.[0];
      const text = link
        ? html`${m.body.slice(0, m.body.indexOf(link))}<a href="${link}">${link}</a>`
        : m.body;
      return html`<tr><td>${m.at}</td><td>${m.to}</td><td>${text}</td></tr>`;
    });
    return sendPage(
      reply,
      200,
      'SMS outbox',
      html`<h1>SMS outbox</h1>
<p class="muted">Messages the sandbox would have texted (DocV <code>sendMessage</code>). Nothing was sent.</p>
<div class="card">${
        messages.length === 0
          ? html`<p>No messages yet.</p>`
          : html`<table><thead><tr><th>When</th><th>To</th><th>Message</th></tr></thead><tbody>${rows}</tbody></table>`
      }</div>`,
    );
  });
};
