import express, { Router } from 'express';
import { z } from 'zod';
import { ApiError, parseOrThrow } from '../api-error';
import { OPERATOR_SESSION_COOKIE, type OperatorAuth } from '../operator-auth';
import { errorResponses, PUBLIC_SECURITY, type RouteDoc } from '../route-docs';

const loginFormSchema = z.object({ key: z.string().min(1).max(200) });

const LOGIN_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Operator sign-in</title></head>
<body style="font-family:sans-serif;max-width:28rem;margin:3rem auto">
<h1>Operator sign-in</h1>
<p>Signs this browser in to the operator page (<code>/ops</code>) and the payload codec, so the Temporal Web UI can show decoded payloads
(in the Web UI's Data Encoder settings, turn on "Include cross-origin credentials").</p>
<form method="post" action="/ops/login"><label>Operator key <input name="key" type="password" autocomplete="off" required></label>
<button type="submit">Sign in</button></form></body></html>`;

export function operatorLoginRoutes(operatorAuth: OperatorAuth): Router {
  const router = Router();
  router.get('/ops/login', (_req, res) => {
    res.type('html').send(LOGIN_PAGE);
  });
  router.post('/ops/login', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    const { key } = parseOrThrow(loginFormSchema, req.body ?? {}, 'body');
    if (!operatorAuth.keyIsValid(key)) throw new ApiError(401, 'operator_unauthenticated', 'the operator key is not valid', 'key');
    const session = operatorAuth.issueSession();
    // One cookie per operator surface: the codec (called by the Web UI) and the operator page.
    for (const path of ['/codec', '/ops']) res.cookie(OPERATOR_SESSION_COOKIE, session, { httpOnly: true, sameSite: 'lax', path, secure: req.secure });
    res.type('html').send('<p>Signed in. The Temporal Web UI can now decode payloads through this codec. <a href="/ops">Operator page</a></p>');
  });
  return router;
}

/** The sign-in routes as `/openapi.json` documents them. */
export function operatorLoginRouteDocs(): RouteDoc[] {
  const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
  const common = { tags: ['operators'], security: PUBLIC_SECURITY };
  return [
    { ...common, method: 'get', path: '/ops/login', summary: 'The operator sign-in form', responses: { 200: html('the form') } },
    {
      ...common,
      method: 'post',
      path: '/ops/login',
      summary: `Sign in with the operator key: sets the ${OPERATOR_SESSION_COOKIE} session cookie for /codec and /ops`,
      request: { body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: loginFormSchema } } } },
      responses: { 200: html('signed in'), ...errorResponses(400, 401, 413) },
    },
  ];
}
