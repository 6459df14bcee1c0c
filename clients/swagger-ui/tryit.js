// Drives the Swagger UI served at /docs in a headless Chromium the way a
// person would: "Authorize" with a token, then "Try it out" and "Execute" on
// every operation with the inputs Swagger UI pre-fills (only ids, the
// account a contact or note hangs on, a phone number, a file to upload and
// the login credentials are typed in). Fails
// unless every operation answers its success status.
//
// usage: node tryit.js BASE_URL TOKEN EMAIL PASSWORD
const { chromium } = require('playwright-core');

const [base, token, email, password] = process.argv.slice(2);
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

// In this order: each operation works on the prospect, contact, document,
// note or customer created before it (the contact, moved by the conversion,
// is deleted from the customer), deletes come last among them, and logout (which
// revokes the token) last of all.
const plan = [
  ['POST /api/login', 200],
  ['GET /api/v1/prospects', 200],
  ['POST /api/v1/prospects', 201],
  ['GET /api/v1/prospects/{id}', 200],
  ['PUT /api/v1/prospects/{id}', 201],
  ['PATCH /api/v1/prospects/{id}', 201],
  ['PUT /api/v1/prospects/{id}/payment-plan', 201],
  ['GET /api/v1/prospects/{id}/payment-plan', 200],
  ['DELETE /api/v1/prospects/{id}/payment-plan', 200],
  ['POST /api/v1/contacts', 201],
  ['GET /api/v1/contacts', 200],
  ['GET /api/v1/contacts/numbers', 200],
  ['GET /api/v1/contacts/{id}', 200],
  ['PUT /api/v1/contacts/{id}', 200],
  ['POST /api/v1/prospects/{id}/documents', 201],
  ['GET /api/v1/prospects/{id}/documents', 200],
  ['GET /api/v1/documents/{id}', 200],
  ['GET /api/v1/documents/{id}/content', 200],
  ['DELETE /api/v1/documents/{id}', 200],
  ['POST /api/v1/notes', 201],
  ['GET /api/v1/notes', 200],
  ['GET /api/v1/notes/{id}', 200],
  ['PUT /api/v1/notes/{id}', 200],
  ['DELETE /api/v1/notes/{id}', 200],
  ['POST /api/v1/prospects/{id}/convert', 201],
  ['GET /api/v1/customers', 200],
  ['GET /api/v1/customers/{id}', 200],
  ['PUT /api/v1/customers/{id}', 201],
  ['PUT /api/v1/customers/{id}/payment-plan', 201],
  ['GET /api/v1/customers/{id}/payment-plan', 200],
  ['DELETE /api/v1/customers/{id}/payment-plan', 200],
  ['GET /api/v1/customers/{id}/documents', 200],
  ['DELETE /api/v1/contacts/{id}', 200],
  ['DELETE /api/v1/customers/{id}', 200],
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

// What each operation's `{id}` names.
function idFor(label, ids) {
  if (label.includes('/notes/')) return ids.note;
  if (label.includes('/contacts/')) return ids.contact;
  if (label.includes('/documents/')) return ids.document;
  if (label.includes('/customers/')) return ids.customer;
  return ids.prospect;
}

async function fill(block, name, value) {
  const input = await block.$(`tr[data-param-name="${name}"] input`);
  if (input) await input.fill(String(value));
}

async function tryItOut(page, label, ids) {
  const block = await operation(page, label);
  await block.$eval('.opblock-summary-control', (e) => e.click());
  await (await block.waitForSelector('button.try-out__btn')).click();
  await fill(block, 'id', idFor(label, ids));
  await fill(block, 'noteable_type', 'prospect');
  await fill(block, 'noteable_id', ids.prospect);
  await fill(block, 'contactable_type', 'prospect');
  await fill(block, 'contactable_id', ids.prospect);
  // The number of the example contact Swagger UI pre-fills.
  await fill(block, 'phoneNumber', '+33 6 11 13 17 19');
  const file = await block.$('input[type=file]');
  if (file) {
    await file.setInputFiles({ name: 'offer.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
  }
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
  const ids = {};
  const creates = {
    'POST /api/v1/prospects': 'prospect',
    'POST /api/v1/notes': 'note',
    'POST /api/v1/contacts': 'contact',
    'POST /api/v1/prospects/{id}/documents': 'document',
    'POST /api/v1/prospects/{id}/convert': 'customer',
  };
  let failed = false;
  for (const [label, expected] of plan) {
    const { status, body } = await tryItOut(page, label, ids);
    if (creates[label] && status === expected) ids[creates[label]] = JSON.parse(body).id;
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
