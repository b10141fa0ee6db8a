/**
 * The bare cdk8s app `npm run bench` compares the default app (`src/main.ts`) with: one object,
 * nothing but `cdk8s`. Run the same way as the default app:
 * `npm run synth -- --app "npx tsx bench/bare-app.ts" --output <dir>`.
 */
import { ApiObject, App, Chart } from 'cdk8s';

const app = new App();
const chart = new Chart(app, 'bare');
new ApiObject(chart, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bare' }, data: { hello: 'world' } });
app.synth();
