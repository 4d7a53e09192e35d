/**
 * The screen's only way to the hub: the signed-in principal's short-lived token on every request,
 * renewed from the API key before it runs out. The key stays in this tab's sessionStorage only.
 */
export interface Me {
  id: string;
  name: string;
  role: 'commander' | 'town_operator' | 'liaison' | 'auditor' | 'admin';
  jurisdiction: string | null;
  department: string | null;
  canUnmask: boolean;
}

interface Session {
  key: string;
  token: string;
  /** ms epoch after which the token is renewed */
  renewAt: number;
  me: Me;
}

const STORE = 'countyhub.session';
let session: Session | null = JSON.parse(sessionStorage.getItem(STORE) ?? 'null') as Session | null;

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function exchange(key: string): Promise<{ token: string; renewAt: number }> {
  const res = await fetch('/api/v1/auth/token', { method: 'POST', headers: { authorization: `Bearer ${key}` } });
  if (res.status === 401) throw new ApiError(401, 'API key 无效或已停用');
  // a hub without HUB_JWT_SECRET issues no tokens: the key itself is then the credential
  if (res.status === 404) return { token: key, renewAt: Number.MAX_SAFE_INTEGER };
  if (!res.ok) throw new ApiError(res.status, `登录失败 (${res.status})`);
  const body = (await res.json()) as { token: string; expiresIn: number };
  return { token: body.token, renewAt: Date.now() + (body.expiresIn * 1000) / 2 };
}

export async function signIn(key: string): Promise<Me> {
  const t = await exchange(key.trim());
  const res = await fetch('/api/v1/me', { headers: { authorization: `Bearer ${t.token}` } });
  if (!res.ok) throw new ApiError(res.status, '无法读取身份信息');
  const me = (await res.json()) as Me;
  session = { key: key.trim(), ...t, me };
  sessionStorage.setItem(STORE, JSON.stringify(session));
  return me;
}

export function signOut(): void {
  session = null;
  sessionStorage.removeItem(STORE);
}

export function me(): Me | null {
  return session?.me ?? null;
}

export async function token(): Promise<string> {
  if (!session) throw new ApiError(401, '请先登录');
  if (Date.now() > session.renewAt) {
    Object.assign(session, await exchange(session.key));
    sessionStorage.setItem(STORE, JSON.stringify(session));
  }
  return session.token;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${await token()}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) throw new ApiError(res.status, (body as { message?: string } | null)?.message ?? `请求失败 (${res.status})`);
  return body as T;
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
