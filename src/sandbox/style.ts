import type { FastifyPluginAsync } from 'fastify';
import { STYLESHEET_PATH } from './html.js';

/** The one stylesheet of every sandbox page: phone first, large touch targets, no external fonts. */
const CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2430;background:#f4f6f9}
main{max-width:42rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
p{margin:.5rem 0 1rem}
.card{background:#fff;border-radius:.75rem;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12);margin-bottom:1rem}
.steps{font-size:.85rem;color:#5a6678;margin:0 0 .5rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
label.inline{display:flex;gap:.5rem;align-items:center;font-weight:400}
input[type=text],input[type=url],input[type=password],input[type=number],select{width:100%;padding:.7rem;font-size:1rem;border:1px solid #b8c2d0;border-radius:.5rem;background:#fff}
input[type=file]{width:100%;padding:.7rem 0;font-size:1rem}
button,.button{display:inline-block;min-height:3rem;padding:.75rem 1.25rem;margin:.5rem .5rem .5rem 0;font-size:1rem;font-weight:600;border:0;border-radius:.5rem;background:#1f5eff;color:#fff;text-decoration:none;cursor:pointer}
button.secondary,.button.secondary{background:#e3e8f0;color:#1c2430}
button.danger{background:#c62828}
.sandbox{border:2px dashed #e0a100;background:#fff8e1;border-radius:.5rem;padding:.75rem;margin:1rem 0}
.ok{color:#1b7f3b}.bad{color:#c62828}
table{width:100%;border-collapse:collapse;font-size:.9rem}
th,td{text-align:left;padding:.4rem;border-bottom:1px solid #e3e8f0;vertical-align:top;word-break:break-all}
nav a{margin-right:1rem}
code{font-size:.9em;background:#eef1f6;padding:.1rem .3rem;border-radius:.25rem}
fieldset{border:1px solid #d5dce6;border-radius:.5rem;margin:.75rem 0}
.muted{color:#5a6678;font-size:.9rem}
`;

export const stylesheetRoute: FastifyPluginAsync = async (app) => {
  app.get(STYLESHEET_PATH, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(CSS),
  );
};
