// Drives the Swagger UI served at /docs in a headless Chromium the way a
// person would: "Authorize" with a token, then "Try it out" and "Execute" on
// every operation with the inputs Swagger UI pre-fills (only the path id and
// the login credentials are typed in). Fails unless every operation answers
// its success status.
//
// usage: node tryit.js BASE_URL TOKEN EMAIL PASSWORD
const { chromium } = require('playwright-core');

const [base, token, email, password] = process.argv.slice(2);
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

// In this order: each prospect operation works on the one created before,
// DELETE comes last among them, and logout (which revokes the token) last of all.
const plan = [
  ['POST /api/login', 200],
  ['GET /api/v1/prospects', 200],
  ['POST /api/v1/prospects', 201],
  ['GET /api/v1/prospects/{id}', 200],
  ['PUT /api/v1/prospects/{id}', 201],
  ['PATCH /api/v1/prospects/{id}', 201],
  ['DELETE /api/v1/prospects/{id}', 200],
  ['GET /api/version', 200],
  ['GET /livez', 200],
  ['GET /readyz', 200],
  ['POST /api/logout', 200],
];

async function operation(page, label) {
  for (const block of await page.$$('.opblock')) {
    const method = await block.$eval('.opblock-summary-method', (e) => e.textContent.trim());
    const path = await block.$eval('.opblock-summary-path', (e) => e.textContent.trim());
    if (`${method} ${path.replace(/\u200b/g, '')}` === label) return block;
  }
  throw new Error(`Swagger UI shows no operation ${label}`);
}

async function tryItOut(page, label, createdId) {
  const block = await operation(page, label);
  await block.$eval('.opblock-summary-control', (e) => e.click());
  await (await block.waitForSelector('button.try-out__btn')).click();
  const idInput = await block.$('tr[data-param-name="id"] input');
  if (idInput) await idInput.fill(String(createdId));
  if (label === 'POST /api/login') {
    const credentials = await block.waitForSelector('textarea.body-param__text');
    await credentials.fill(JSON.stringify({ email, password }));
  }
  await (await block.waitForSelector('button.execute')).click();
  const cell = await block.waitForSelector('.live-responses-table tbody .response-col_status');
  const status = Number((await cell.textContent()).trim());
  const body = await block.$eval('.live-responses-table tbody .response-col_description pre', (e) => e.textContent);
  await block.$eval('.opblock-summary-control', (e) => e.click());
  return { status, body };
}

(async () => {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  const page = await browser.newPage();
  await page.goto(`${base}/docs/`);
  await page.waitForSelector('.opblock');
  await page.click('button.authorize');
  await page.fill('.modal-ux input[type=text]', token);
  await page.click('.modal-ux button.authorize');
  await page.click('.modal-ux button.close-modal');
  let createdId = null;
  let failed = false;
  for (const [label, expected] of plan) {
    const { status, body } = await tryItOut(page, label, createdId);
    if (label === 'POST /api/v1/prospects' && status === 201) createdId = JSON.parse(body).id;
    const ok = status === expected;
    failed ||= !ok;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}: ${status}${ok ? '' : ` (expected ${expected}) ${body}`}`);
  }
  await browser.close();
  process.exit(failed ? 1 : 0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
