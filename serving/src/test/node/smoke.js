// A Node client of Fletch as a team without Java writes one: the published .proto loaded at run
// time (@grpc/proto-loader), calls over @grpc/grpc-js. Run by ClientInteropIT against the served
// payments example:  node smoke.js PROTO_DIR GRPC_PORT CUSTOMER_ID MERCHANT_ID
// Prints one line per check and "N passed, M failed"; exits 1 if any failed.
'use strict';
const assert = require('node:assert');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const [protoDir, port, customer, merchant] = process.argv.slice(2);
const definition = loader.loadSync('fletch/serving/v1/serving.proto', {
  includeDirs: [protoDir],
  keepCase: true,
  longs: String, // int64 as decimal text: JavaScript numbers lose integers above 2^53
  enums: String,
  defaults: true,
  oneofs: true,
});
const serving = grpc.loadPackageDefinition(definition).fletch.serving.v1;
const client = new serving.FeatureServing(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

function call(method, request) {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + 10000);
    client[method](request, { deadline }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

function request(customerValue, merchantId = merchant) {
  return {
    feature_service: 'fraud_model_v1',
    entities: {
      customer_id: { values: [customerValue] },
      merchant_id: { values: [{ string_value: merchantId }] },
      amount: { values: [{ double_value: 42.5 }] },
    },
  };
}

let passed = 0;
let failed = 0;
async function check(name, body) {
  try {
    await body();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}

(async () => {
  let asNumber;
  await check('GetServingInfo names the project', async () => {
    const info = await call('GetServingInfo', {});
    assert.strictEqual(info.project, 'payments');
  });
  await check('GetFeatures with int64_value answers PRESENT values', async () => {
    asNumber = await call('GetFeatures', request({ int64_value: customer }));
    const statuses = asNumber.features.flatMap((f) => f.statuses);
    assert.ok(statuses.includes('PRESENT'), JSON.stringify(statuses));
  });
  await check('an INT64 key as decimal text (string_value) answers the same', async () => {
    const asText = await call('GetFeatures', request({ string_value: String(customer) }));
    assert.deepStrictEqual(asText.features, asNumber.features);
  });
  await check('a key above 2^53 as text is accepted (NOT_FOUND, no error)', async () => {
    // (with a merchant that does not exist either: every view misses)
    const big = await call(
      'GetFeatures',
      request({ string_value: '9007199254740993' }, 'M_NOT_A_MERCHANT'),
    );
    // Stored features: NOT_FOUND; the on-demand one has a null input: NULL_VALUE.
    const stored = big.features.filter((f) => !f.feature_ref.startsWith('txn_risk:'));
    assert.ok(stored.length > 0 && stored.every((f) => f.statuses.every((s) => s === 'NOT_FOUND')));
    const onDemand = big.features.filter((f) => f.feature_ref.startsWith('txn_risk:'));
    assert.ok(onDemand.every((f) => f.statuses.every((s) => s === 'NULL_VALUE')));
  });
  await check('non-canonical text ("0" + id) is INVALID_ARGUMENT naming the key', async () => {
    await assert.rejects(call('GetFeatures', request({ string_value: '0' + customer })), (e) => {
      assert.strictEqual(e.code, grpc.status.INVALID_ARGUMENT);
      assert.match(e.details, /customer_id/);
      return true;
    });
  });
  client.close();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
})();
