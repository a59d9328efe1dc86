// The console's shell: who is signed in (Alpine store "session"), which page is open (store "route", from the URL's
// hash: #/topics/raw.orders), and the poll interval every page refreshes at.
window.CONSOLE_POLL_MS = 2000;

document.addEventListener('alpine:init', () => {
  Alpine.store('session', {
    checked: false, signedIn: false, name: null, scheme: null, roles: [], error: null, busy: false,

    /** Whether the caller may do what needs `role` (admin may do everything). */
    can(role) { return this.roles.includes('admin') || this.roles.includes(role); },
    get admin() { return this.roles.includes('admin'); },

    async init() {
      window.addEventListener('console:unauthorized', (e) => this.signOut(`Signed out: ${e.detail}`));
      const stored = ConsoleApi.stored();
      if (stored) await this.signIn(stored, true);
      this.checked = true;
    },

    /** Checks the key or token with the gateway and keeps it for this tab only. */
    async signIn(credential, silent = false) {
      this.busy = true;
      this.error = null;
      try {
        const me = await ConsoleApi.call('/console/api/session', { credential });
        ConsoleApi.remember(credential);
        Object.assign(this, { signedIn: true, name: me.name, scheme: me.scheme, roles: me.roles });
      } catch (e) {
        ConsoleApi.forget();
        this.signedIn = false;
        if (!silent || e.status !== 401) {
          this.error = e.status === 401 ? 'That API key or token was not accepted.' : `Sign-in failed: ${e.message}`;
        }
      } finally {
        this.busy = false;
      }
    },

    signOut(message = null) {
      ConsoleApi.forget();
      Object.assign(this, { signedIn: false, name: null, scheme: null, roles: [], error: message });
    },
  });

  Alpine.store('route', {
    page: 'overview', arg: null,
    pages: [['overview', 'Overview'], ['topics', 'Topics'], ['groups', 'Consumer groups'], ['pipelines', 'Pipelines'],
      ['jobs', 'Jobs']],
    init() {
      const read = () => {
        const [name, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
        const page = this.pages.some(([id]) => id === name) ? name : 'overview';
        const arg = rest.length ? decodeURIComponent(rest.join('/')) : null;
        window.scrollTo(0, 0);
        if (page === this.page && arg !== null && this.arg !== null && arg !== this.arg) {
          // Another topic, pipeline, ...: close the page first so that its component starts again for the new one.
          this.page = null;
          Alpine.nextTick(() => { this.page = page; this.arg = arg; });
          return;
        }
        this.page = page;
        this.arg = arg;
      };
      window.addEventListener('hashchange', read);
      read();
    },
    is(page, detail) { return this.page === page && (detail === undefined || (this.arg !== null) === detail); },
    link: (page, arg) => (arg === undefined || arg === null ? `#/${page}` : `#/${page}/${encodeURIComponent(arg)}`),
  });
});

/** A page component's polling: its refresh() now, then every CONSOLE_POLL_MS until the page closes. */
function polling() {
  let timer = null;
  return {
    start(page) { page.refresh(); timer = setInterval(() => page.refresh(), window.CONSOLE_POLL_MS); },
    stop() { clearInterval(timer); },
  };
}
