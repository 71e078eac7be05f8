// Drives the system Chromium through the tasks example in cookie mode, as
// a person would, and a page of another origin that tries to post with the
// person's cookies. Prints one JSON object of what it saw; the Go test
// (examples/tasks/browser_test.go) judges it.
//
//   node browser.mjs APP_URL ATTACKER_URL USERNAME PASSWORD
//
// CHROMIUM names the browser binary (default /usr/bin/chromium). No browser
// is ever downloaded.
import { chromium } from 'playwright-core';

const [appURL, attackerURL, username, password] = process.argv.slice(2);
if (!appURL || !attackerURL || !username || !password) {
  console.error('usage: node browser.mjs APP_URL ATTACKER_URL USERNAME PASSWORD');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  chromiumSandbox: false,
  timeout: 60_000,
  args: [
    '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-features=Translate,MediaRouter',
  ],
});
const out = {};
try {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();

  // click presses a button of the page and returns what the page showed.
  let n = 0;
  const click = async (id, label) => {
    n++;
    await page.evaluate(() => { document.getElementById('out').dataset.label = ''; });
    await page.click('#' + id);
    await page.waitForSelector(`#out[data-label="${label}"]`);
    return {
      status: Number(await page.getAttribute('#out', 'data-status')),
      text: await page.textContent('#out'),
    };
  };
  const cookieNames = async () =>
    (await context.cookies()).map((c) => ({ name: c.name, httpOnly: c.httpOnly, secure: c.secure, sameSite: c.sameSite, path: c.path }));

  await page.goto(appURL + '/');
  out.title = await page.title();
  await page.fill('#username', username);
  await page.fill('#password', password);
  out.signin = await click('signin', 'sign in');
  out.cookiesAfterSignin = await cookieNames();
  out.scriptSees = await page.evaluate(() => document.cookie);
  out.hello = await click('hello', 'GET /hello/');
  await page.fill('#title', 'Added from the browser');
  out.add = await click('add', 'POST /tasks/');
  out.refresh = await click('refresh', 'refresh');

  // Another origin, same browser, same cookies: its form posts to the API.
  const evil = await context.newPage();
  await evil.goto(attackerURL + '/');
  await evil.waitForFunction(() => document.body.dataset.done === 'yes', null, { timeout: 15_000 });
  await evil.click('#submit');
  await evil.waitForURL(appURL + '/tasks/');
  out.attackFormBody = await evil.textContent('body');
  await evil.close();

  out.list = await click('list', 'GET /tasks/');
  out.logout = await click('logout', 'sign out');
  out.cookiesAfterLogout = await cookieNames();
  out.helloAfterLogout = await click('hello', 'GET /hello/');
  out.clicks = n;
} catch (err) {
  out.error = String(err && err.stack || err);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + '\n');
