// The console's one way to call the suite: the REST API through this gateway, same origin, with the signed-in
// credential (an API key in X-Api-Key, or a bearer token). The credential lives in sessionStorage only: never in a
// URL, gone when the tab closes.
window.ConsoleApi = (() => {
  const STORAGE = 'tributary.console.credential';

  /** A refused call: the HTTP status and the problem+json the suite answered with (RFC 9457). */
  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
      this.status = status;
      this.problem = problem || {};
    }
  }

  // Three base64url parts separated by dots: a JWT, sent as a bearer token; anything else is an API key.
  const looksLikeToken = (credential) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(credential);

  function authHeaders(credential) {
    if (!credential) return {};
    return looksLikeToken(credential) ? { Authorization: `Bearer ${credential}` } : { 'X-Api-Key': credential };
  }

  function parse(text) {
    try { return JSON.parse(text); } catch { return { detail: text }; }
  }

  /**
   * Calls the API and answers the parsed JSON body (null when empty). A refusal throws ApiError; a 401 for the
   * stored credential (a key revoked while the console is open) also signs out.
   */
  async function call(path, { method = 'GET', body, credential = stored() } = {}) {
    const headers = { Accept: 'application/json, application/problem+json', ...authHeaders(credential) };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
    });
    const text = await response.text();
    const data = text ? parse(text) : null;
    if (!response.ok) {
      const error = new ApiError(response.status, data);
      if (response.status === 401 && credential && credential === stored()) {
        window.dispatchEvent(new CustomEvent('console:unauthorized', { detail: error.message }));
      }
      throw error;
    }
    return data;
  }

  const stored = () => sessionStorage.getItem(STORAGE);
  const remember = (credential) => sessionStorage.setItem(STORAGE, credential);
  const forget = () => sessionStorage.removeItem(STORAGE);
  const path = (...parts) => parts.map(encodeURIComponent).join('/');

  return { call, ApiError, stored, remember, forget, path };
})();
